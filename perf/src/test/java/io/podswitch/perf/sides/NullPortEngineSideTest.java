package io.podswitch.perf.sides;

import io.podswitch.perf.bench.side.EngineMode;
import io.podswitch.perf.bench.side.EngineRun;
import io.podswitch.perf.bench.side.EngineWorkload;
import io.podswitch.perf.bench.side.PodswitchSides;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine side forwards for real: a FIB miss or a wrong MAC would drop packets and the count
 * would fall short. The forwarding tests are counted runs (each generator makes a fixed number of
 * frames, every one must reach a sink), so no clock and no machine load can change their outcome.
 */
class NullPortEngineSideTest {

    private static final NullPortEngineSide ENGINE = new NullPortEngineSide();
    private static final long FRAMES_PER_PORT = 5_000;

    @Test
    void isTheRegisteredEngineSide() {
        assertInstanceOf(NullPortEngineSide.class, PodswitchSides.load().engine().orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(EngineMode.class)
    void forwardsEveryFrameInEveryModeWithTwoWorkers(EngineMode mode) throws Exception {
        EngineRun run = ENGINE.forwardFrames(new EngineWorkload(mode, 2, 64, List.of(), 1000, 7), FRAMES_PER_PORT);
        assertEquals(2 * 2 * FRAMES_PER_PORT, run.packets(), mode + ": " + run);
        assertTrue(run.cpuNanos() > 0, run.toString());
    }

    @Test
    void forwardsLargeFrames() throws Exception {
        EngineRun run = ENGINE.forwardFrames(new EngineWorkload(EngineMode.IP4, 1, 1500, List.of(0), 1000, 7),
                FRAMES_PER_PORT);
        assertEquals(2 * FRAMES_PER_PORT, run.packets(), run.toString());
    }

    /** The bench's timed window: at least the duration, and every worker ran (ticked) inside it. */
    @Test
    void timedWindowLastsTheDurationAndSeesTheWorkersRun() throws Exception {
        EngineRun run = ENGINE.forward(new EngineWorkload(EngineMode.IO, 2, 64, List.of(), 1000, 7),
                Duration.ofMillis(100));
        assertTrue(run.elapsedNanos() >= 100_000_000L, run.toString());
        assertTrue(run.packets() > 0, run.toString());
        assertTrue(run.cpuNanos() > 0, run.toString());
    }

    @Test
    void backgroundRoutesAreLoadedAndHostRoutesStillWin() {
        EngineTables v4 = EngineTables.build(false, 50_000, 7);
        assertEquals(50_000, v4.backgroundRoutes());
        v4.ensurePorts(4);
        for (int p = 0; p < 4; p++) {
            int adj = v4.tables().fib4().lookup(EngineTables.destination4(p));
            assertEquals(p, v4.tables().adjacencies().port(adj), "port of the host route of port " + p);
        }
        EngineTables v6 = EngineTables.build(true, 1 << 20, 7);
        assertEquals(1000, v6.backgroundRoutes(), "the lpm6 perf table has 1000 routes");
        v6.ensurePorts(2);
        int adj = v6.tables().fib6().lookup(EngineTables.destination6High(1), EngineTables.DESTINATION6_LOW);
        assertEquals(1, v6.tables().adjacencies().port(adj));
    }
}
