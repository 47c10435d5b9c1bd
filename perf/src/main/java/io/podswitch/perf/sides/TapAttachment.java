package io.podswitch.perf.sides;

import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Netns;
import io.podswitch.perf.bench.side.PodEndpoint;
import io.podswitch.port.tap.TapPort;
import io.podswitch.port.tap.TapPortConfig;
import io.podswitch.port.tap.TapSteering;

/**
 * A pod attached by a TAP created right inside its namespace, as podswitchd attaches real pods:
 * offloads on (checksum and TSO: GSO super-frames up to 64 KiB in the slab's large frames), the
 * steering's queues and program (sparse flows apart from heavy ones), podswitch holds the
 * descriptors, the pod sees {@code ifName}. The TAP is not persistent, so
 * closing the descriptor removes the interface, its address and its routes.
 */
record TapAttachment(int netnsFd, TapPort port, long switchMac, long podMac) implements PodAttachment {

    /** Locally administered gateway MAC of port {@code id}: 02:70:73:02:00:id. */
    static long gatewayMac(int id) {
        return 0x02_70_73_02_00_00L | id;
    }

    static TapAttachment open(int id, PodEndpoint pod, TapSteering steering) {
        int fd = Netns.open(pod.netns());
        TapPort tap = null;
        try {
            tap = TapPort.openIn(fd, pod.netns(), id,
                    new TapPortConfig(pod.ifName(), 1500, 0, false, steering.queues(), true));
            steering.attach(tap);
            long podMac = PodInterface.configure(fd, pod, false);
            return new TapAttachment(fd, tap, gatewayMac(id), podMac);
        } catch (RuntimeException e) {
            if (tap != null) {
                tap.close();
            }
            Libc.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            port.close();
        } finally {
            Libc.close(netnsFd);
        }
    }
}
