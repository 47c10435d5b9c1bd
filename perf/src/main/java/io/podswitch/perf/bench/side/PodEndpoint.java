package io.podswitch.perf.bench.side;

/**
 * One pod of a switch path.
 *
 * @param netns   name of an existing network namespace (under /var/run/netns)
 * @param ifName  interface to create inside it, e.g. {@code eth0}
 * @param address the pod's address with prefix length, e.g. {@code 10.201.1.2/24}
 * @param gateway the next hop podswitch answers for, e.g. {@code 10.201.1.1}
 */
public record PodEndpoint(String netns, String ifName, String address, String gateway) {

    /** The address without its prefix length. */
    public String ip() {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }
}
