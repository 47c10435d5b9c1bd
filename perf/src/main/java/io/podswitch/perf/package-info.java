/** podswitch perf module. */
package io.podswitch.perf;
