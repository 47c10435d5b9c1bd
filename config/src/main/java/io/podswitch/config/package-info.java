/** podswitch config module. */
package io.podswitch.config;
