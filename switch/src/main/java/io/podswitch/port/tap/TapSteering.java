package io.podswitch.port.tap;

import io.podswitch.nativeio.Bpf;
import io.podswitch.nativeio.Tun;
import io.podswitch.nativeio.bpf.SparseFlowSteering;

/**
 * Fair reading of busy pod TAPs: pods get multi-queue TAPs whose queue, packet by packet, is chosen by
 * the {@link SparseFlowSteering} program — sparse flows in queue 0, heavy flows in queues 1..n-1 — so
 * that an unpaced stream fills only its own kernel ring and the worker, which reads every queue each
 * cycle, keeps every other flow's packets. One flow table (an LRU hash of {@value #FLOWS} entries, keyed
 * by interface and flow) and one program serve every TAP of the daemon.
 *
 * <pre>
 *   pod eth0 (TAP, n queues) ── tun_select_queue ── steering program ──┬── queue 0: sparse flows ──► worker
 *                                                    flow table (LRU)  └── queue 1..n-1: heavy   ──► worker(s)
 * </pre>
 *
 * Control plane only. A TAP keeps its own reference to the program, so closing this object (the
 * daemon stopping) leaves persistent pod TAPs steering until a restarted daemon attaches its own.
 */
public final class TapSteering implements AutoCloseable {
    /** Flows tracked at once over every TAP; the least recently seen are forgotten first. */
    public static final int FLOWS = 65_536;

    private final int queues;
    private final int mapFd;
    private final int programFd;
    private boolean closed;

    private TapSteering(int queues, int mapFd, int programFd) {
        this.queues = queues;
        this.mapFd = mapFd;
        this.programFd = programFd;
    }

    /**
     * Creates the flow table and loads the program for TAPs of {@code queues} queues (queue 0 and
     * {@code queues - 1} bulk queues).
     * @throws io.podswitch.nativeio.NativeException when the kernel refuses the map or the program
     */
    public static TapSteering load(int queues) {
        if (queues < 2 || queues > 256) {
            throw new IllegalArgumentException("steering needs 2..256 queues per TAP: " + queues);
        }
        int map = Bpf.createHashMap(Bpf.BPF_MAP_TYPE_LRU_HASH, "podswitch_flows", SparseFlowSteering.KEY_SIZE,
                SparseFlowSteering.VALUE_SIZE, FLOWS);
        try {
            int program = Bpf.loadProgram(SparseFlowSteering.build(map, queues - 1), Bpf.BPF_PROG_TYPE_SOCKET_FILTER);
            return new TapSteering(queues, map, program);
        } catch (RuntimeException e) {
            Bpf.close(map);
            throw e;
        }
    }

    /** Queues each steered TAP should have. */
    public int queues() {
        return queues;
    }

    /** The program's descriptor (tests run it with {@code BPF_PROG_TEST_RUN}). */
    public int programFd() {
        return programFd;
    }

    /**
     * Makes the program pick the queue of every packet the kernel sends through {@code tap}. A TAP with
     * one queue (a pod wired before pods had several) is left alone: it has nothing to pick from.
     * @return whether the TAP is steered
     */
    public boolean attach(TapPort tap) {
        if (tap.queueCount() < 2) {
            return false;
        }
        Tun.setSteeringProgram(tap.fd(0), tap.name(), programFd);
        return true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Bpf.close(programFd);
        Bpf.close(mapFd);
    }
}
