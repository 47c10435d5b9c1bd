package io.podswitch.perf.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The options of one bench run.
 *
 * @param scenarios   names to run, empty = all registered
 * @param duration    length of one measured repetition
 * @param warmup      run before the repetitions and thrown away (JIT, caches, ARP)
 * @param cores       CPUs the forwarder may use; the scaling scenarios go from 1 to cores.size() workers
 * @param smoke       run every step minimally to prove the harness works; the figures mean nothing
 * @param sides       {@code --side}: the subjects to measure in scenarios that support choosing
 *                    (service: kernel-iptables, kernel-nft, kernel-ipvs, podswitch); empty = all
 */
public record BenchSettings(List<String> scenarios, Duration duration, Duration warmup, int repeat,
                            List<Integer> cores, List<Integer> packetSizes, Path outDir, boolean smoke, long seed,
                            List<String> sides) {

    /** Every side. */
    public BenchSettings(List<String> scenarios, Duration duration, Duration warmup, int repeat, List<Integer> cores,
                         List<Integer> packetSizes, Path outDir, boolean smoke, long seed) {
        this(scenarios, duration, warmup, repeat, cores, packetSizes, outDir, smoke, seed, List.of());
    }

    public static final long DEFAULT_SEED = 0x5eed_0f_9005L;
    public static final List<Integer> DEFAULT_PACKET_SIZES = List.of(64, 128, 256, 512, 1024, 1500);

    public BenchSettings {
        scenarios = List.copyOf(scenarios);
        cores = List.copyOf(cores);
        packetSizes = List.copyOf(packetSizes);
        sides = List.copyOf(sides);
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warm-up must not be negative, got " + warmup);
        }
        if (cores.isEmpty() || packetSizes.isEmpty()) {
            throw new IllegalArgumentException("cores and packet sizes must not be empty");
        }
    }

    /** Smoke mode: one short repetition, no warm-up, the smallest packet size, one core. */
    public BenchSettings asSmoke() {
        return new BenchSettings(scenarios, Duration.ofMillis(200), Duration.ZERO, 1, List.of(cores.getFirst()),
                List.of(packetSizes.getFirst()), outDir, true, seed, sides);
    }

    /** Whether {@code --side} selects this subject (no {@code --side}: every subject). */
    public boolean sideSelected(String subject) {
        return sides.isEmpty() || sides.contains(subject);
    }

    /** Time one measured step takes: warm-up plus all repetitions. */
    public Duration stepDuration() {
        return warmup.plus(duration.multipliedBy(repeat));
    }
}
