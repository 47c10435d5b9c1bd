/**
 * Where the CPU goes while a benchmark moves bytes, per gigabyte moved: the bench process tree's user
 * and system time ({@code /proc/self/stat}: a forwarder running in the bench, the traffic tools as its
 * children), the kernel's packet work outside it (softirq from {@code /proc/stat}, ksoftirqd), and how
 * busy the whole machine was. Used by the pod-tcp scenario for every subject (Linux bridge, kernel
 * routing, podswitch, the TAP floor); any scenario whose tools are the bench's children and which moves
 * a known number of bytes (cross-node) can use it the same way. No dependencies.
 */
package io.podswitch.perf.cpu;
