package io.podswitch.port.tap;

import static io.podswitch.nativeio.NetnsFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.port.Port;
import io.podswitch.worker.Qsbr;
import io.podswitch.worker.Worker;
import io.podswitch.worker.WorkerConfig;
import io.podswitch.worker.WorkerGroup;
import io.podswitch.worker.forward.IoForward;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The latency probe survives an unpaced stream from the same pod. Pod A blasts 1400-byte datagrams
 * at pod B as fast as it can while it exchanges 1000 request/response probes with an echo in B, one at
 * a time; the pods' TAPs have two queues and the sparse-flow steering program, and a worker reads
 * them. Each queue's kernel ring is cut to 64 packets, so the blast overflows its ring all the time
 * (asserted: the TAP counts transmit drops) — and no probe is lost: the blast became heavy and went
 * to the bulk queue, the probes stayed alone in queue 0, which the worker reads every cycle. With one
 * queue the same test loses probes (the kernel drops whatever arrives at a full ring).
 */
@Tag("privileged")
class TapFairnessPrivilegedTest {
    private static final int PROBES = 1000;
    private static final int ECHO_PORT = 7007;
    private static final int BLAST_PORT = 7009;
    private static final int LOST_SECONDS = 30;

    @Test
    void probesKeepTheirPacketsWhileAnUnpacedStreamOverflowsItsQueue() throws Exception {
        try (FrameSlab slab = new FrameSlab(4096);
             TapSteering steering = TapSteering.load(2);
             TapPodPair pods = TapPodPair.create("psf", 2, steering)) {
            for (TapPort tap : List.of(pods.portA(), pods.portB())) {
                // Small rings: the blast overflows its own whatever the machine's speed.
                run("ip", "-n", tap == pods.portA() ? pods.nsA() : pods.nsB(), "link", "set", tap.name(), "txqueuelen", "64");
            }
            FramePool pool = new FramePool(slab);
            Port[] ports = {pods.portA(), pods.portB()};
            Worker worker = new Worker(0, WorkerConfig.defaults(), pool, new IoForward(slab, ports, 0, 64), new Qsbr(1));
            for (TapPort tap : List.of(pods.portA(), pods.portB())) {
                for (int q = 0; q < tap.queueCount(); q++) {
                    worker.addRxQueue(tap, q);
                }
            }
            try (WorkerGroup ignored = WorkerGroup.start(List.of(worker), Throwable::printStackTrace);
                 DatagramChannel echo = pods.udp(false, ECHO_PORT);
                 DatagramChannel sink = pods.udp(false, BLAST_PORT);
                 DatagramChannel probe = pods.udp(true, 40000);
                 DatagramChannel source = pods.udp(true, 40001)) {
                echo.configureBlocking(true);
                Thread echoer = Thread.ofPlatform().daemon().name("echo").start(() -> echo(echo));
                long droppedBefore = txDropped(pods);
                Blaster blaster = new Blaster(source, new InetSocketAddress(TapPodPair.IP_B, BLAST_PORT));
                Thread.ofPlatform().daemon().name("blast").start(blaster);
                int lost;
                try {
                    lost = probe(probe, new InetSocketAddress(TapPodPair.IP_B, ECHO_PORT));
                } finally {
                    blaster.running = false;
                }
                long dropped = txDropped(pods) - droppedBefore;
                long bulk = pods.portA().counters(1).rxPackets();
                System.out.printf("fairness: %d probes, %d lost; blast %d datagrams sent, %d dropped at pod A's full ring, %d read from the bulk queue%n",
                        PROBES, lost, blaster.sent, dropped, bulk);
                assertTrue(dropped > 0, "the blast overflowed its ring (else the test proves nothing): " + dropped);
                assertTrue(bulk > 0, "the blast was steered to the bulk queue");
                assertEquals(0, lost, "probes lost while an unpaced stream shared their pod's TAP");
                echoer.interrupt();
            }
        }
    }

    /**
     * Exchanges {@link #PROBES} 64-byte probes one at a time. A probe is lost when its answer does not
     * come within {@link #LOST_SECONDS}: a hang bound — on a loaded machine an answer is late, a dropped
     * probe never comes — so the exchange stops at the first loss (the test asks for none).
     *
     * @return how many went unanswered (0 or 1)
     */
    private static int probe(DatagramChannel probe, InetSocketAddress echo) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(64);
        ByteBuffer in = ByteBuffer.allocate(2048);
        int lost = 0;
        for (int i = 0; i < PROBES; i++) {
            out.clear();
            out.putInt(0, i);
            probe.send(out, echo);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOST_SECONDS);
            boolean answered = false;
            while (!answered && System.nanoTime() < deadline) {
                in.clear();
                if (probe.receive(in) != null) {
                    answered = in.position() >= 4 && in.getInt(0) == i;
                } else {
                    Thread.yield(); // 2 shared cores: leave them to the worker, the echo and the blast
                }
            }
            if (!answered) {
                return lost + 1;
            }
        }
        return lost;
    }

    private static void echo(DatagramChannel echo) {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buf.clear();
                java.net.SocketAddress from = echo.receive(buf);
                buf.flip();
                echo.send(buf, from);
            }
        } catch (IOException closed) {
            // the test closed the channel
        }
    }

    /** Transmit drops of pod A's interface: packets the kernel dropped at a full queue ring. */
    private static long txDropped(TapPodPair pods) {
        String out = run("ip", "netns", "exec", pods.nsA(), "cat", "/sys/class/net/" + pods.portA().name() + "/statistics/tx_dropped");
        return Long.parseLong(out.strip());
    }

    /** Sends 1400-byte datagrams as fast as it can until stopped. */
    private static final class Blaster implements Runnable {
        private final DatagramChannel source;
        private final InetSocketAddress to;
        volatile boolean running = true;
        volatile long sent;

        Blaster(DatagramChannel source, InetSocketAddress to) {
            this.source = source;
            this.to = to;
        }

        @Override
        public void run() {
            ByteBuffer payload = ByteBuffer.allocateDirect(1400);
            long n = 0;
            try {
                while (running) {
                    payload.clear();
                    n += source.send(payload, to) > 0 ? 1 : 0;
                }
            } catch (IOException e) {
                // closed
            }
            sent = n;
        }
    }
}
