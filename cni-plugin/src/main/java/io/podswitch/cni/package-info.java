/** podswitch cni module. */
package io.podswitch.cni;
