package io.podswitch.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class StatsFileTest {
    @TempDir
    Path dir;

    /** A counter source whose values the test controls; written by one thread, read by the publisher. */
    static final class Source implements CounterSource {
        final String prefix;
        final AtomicLong packets = new AtomicLong();
        volatile boolean withBytes = true;

        Source(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void visit(CounterVisitor visitor) {
            visitor.counter(prefix + ".rx_packets", packets.get());
            if (withBytes) {
                visitor.counter(prefix + ".rx_bytes", packets.get() * 64);
            }
        }
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StatsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return code + "\n" + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void publisherWritesWhatTheReaderReads() {
        Path file = dir.resolve("run/podswitch/stats");
        try (StatsFile stats = StatsFile.create(file, 16); StatsPublisher publisher = new StatsPublisher(stats)) {
            Source tap = new Source("port.tap1");
            Source worker = new Source("worker.0");
            publisher.register(tap);
            publisher.register(worker);
            publisher.register(tap);
            tap.packets.set(10);
            worker.packets.set(3);
            publisher.publish(System.currentTimeMillis());
            assertEquals(4, publisher.counterCount());
            try (StatsReader reader = StatsReader.open(file)) {
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                Map<String, Long> snapshot = reader.snapshot();
                assertEquals(10L, snapshot.get("port.tap1.rx_packets"));
                assertEquals(640L, snapshot.get("port.tap1.rx_bytes"));
                assertEquals(3L, snapshot.get("worker.0.rx_packets"));
                tap.packets.set(11);
                tap.withBytes = false;
                publisher.publish(System.currentTimeMillis());
                snapshot = reader.snapshot();
                assertEquals(11L, snapshot.get("port.tap1.rx_packets"), "the mapping is live");
                assertNull(snapshot.get("port.tap1.rx_bytes"), "a counter the source stopped visiting is freed");
                assertTrue(publisher.unregister(worker));
                assertFalse(publisher.unregister(worker));
                assertNull(reader.snapshot().get("worker.0.rx_packets"));
                assertFalse(reader.isStale(System.currentTimeMillis(), 5000));
            }
        }
        assertFalse(Files.exists(file), "closing the stats file removes it");
    }

    @Test
    void aFullFileFailsWithAClearMessage() {
        try (StatsFile stats = StatsFile.create(dir.resolve("stats"), 1); StatsPublisher publisher = new StatsPublisher(stats)) {
            publisher.register(new Source("port.a"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> publisher.publish(1));
            assertTrue(e.getMessage().contains("is full (1 counters)"), e.getMessage());
        }
    }

    @Test
    void commandPrintsCountersAndRates() throws Exception {
        Path file = dir.resolve("stats");
        try (StatsFile stats = StatsFile.create(file, 16); StatsPublisher publisher = new StatsPublisher(stats)) {
            Source tap = new Source("port.tap1");
            publisher.register(tap);
            tap.packets.set(42);
            publisher.publish(System.currentTimeMillis());
            String once = run("--file", file.toString());
            assertTrue(once.startsWith("0\n"), once);
            assertTrue(once.matches("(?s).*port\\.tap1\\.rx_packets\\s+42\\n.*"), once);
            assertTrue(once.matches("(?s).*port\\.tap1\\.rx_bytes\\s+2688\\n.*"), once);

            // A writer thread keeps counting and publishing while the command watches.
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    tap.packets.addAndGet(100);
                    publisher.publish(System.currentTimeMillis());
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            writer.start();
            String watched;
            try {
                watched = run("--file", file.toString(), "--watch", "--interval-ms", "200", "--iterations", "2");
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(watched.startsWith("0\n"), watched);
            Matcher m = Pattern.compile("port\\.tap1\\.rx_packets\\s+(\\d+)\\s+([0-9.]+)/s").matcher(watched);
            List<Double> rates = new ArrayList<>();
            while (m.find()) {
                rates.add(Double.parseDouble(m.group(2)));
            }
            assertEquals(2, rates.size(), watched);
            for (double rate : rates) {
                assertTrue(rate > 0, "a rate is shown for a growing counter: " + watched);
            }
        }
    }

    @Test
    void missingStaleAndForeignFilesExitWithOneAndSayWhy() throws IOException {
        String missing = run("--file", dir.resolve("nope").toString());
        assertTrue(missing.startsWith("1\n") && missing.contains("no stats file at") && missing.contains("podswitchd running"), missing);

        Path foreign = dir.resolve("foreign");
        Files.write(foreign, new byte[256]);
        String notOurs = run("--file", foreign.toString());
        assertTrue(notOurs.startsWith("1\n") && notOurs.contains("not a podswitch stats file"), notOurs);

        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[3]);
        assertTrue(run("--file", tiny.toString()).contains("too short"));

        Path file = dir.resolve("stale");
        try (StatsFile stats = StatsFile.create(file, 4)) {
            stats.heartbeat(System.currentTimeMillis() - 60_000);
            String stale = run("--file", file.toString());
            assertTrue(stale.startsWith("1\n") && stale.contains("is stale") && stale.contains("has not published"), stale);
            assertTrue(run("--file", file.toString(), "--max-age-ms", "120000").startsWith("0\n"));
        }

        String usage = run("--frobnicate");
        assertTrue(usage.startsWith("2\n") && usage.contains("unknown argument '--frobnicate'") && usage.contains("usage:"), usage);
        assertTrue(run("--interval-ms", "x").contains("needs a whole number"));
        assertTrue(run("--file").contains("--file needs a value"));
    }

    /** Another process (a fresh JVM running StatsCommand) reads the live file this JVM writes. */
    @Test
    void anotherProcessReadsTheLiveFile() throws Exception {
        Path file = dir.resolve("stats");
        try (StatsFile stats = StatsFile.create(file, 16); StatsPublisher publisher = new StatsPublisher(stats)) {
            Source tap = new Source("port.tap7");
            publisher.register(tap);
            tap.packets.set(123_456_789L);
            publisher.publish(System.currentTimeMillis());

            String java = ProcessHandle.current().info().command().orElseThrow();
            List<String> command = List.of(java, "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), StatsCommand.class.getName(), "--file", file.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try {
                output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stats command finished");
            } finally {
                process.destroyForcibly();
            }
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("pid " + ProcessHandle.current().pid()), output);
            Matcher m = Pattern.compile("port\\.tap7\\.rx_packets\\s+(\\d+)").matcher(output);
            assertTrue(m.find(), output);
            assertEquals(123_456_789L, Long.parseLong(m.group(1)));
            Matcher b = Pattern.compile("port\\.tap7\\.rx_bytes\\s+(\\d+)").matcher(output);
            assertTrue(b.find(), output);
            assertEquals(123_456_789L * 64, Long.parseLong(b.group(1)));
        }
    }
}
