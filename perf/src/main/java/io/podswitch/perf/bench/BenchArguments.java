package io.podswitch.perf.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Parses the bench command line; every mistake becomes a {@link UsageException} naming the argument. */
public final class BenchArguments {

    public static final String USAGE = """
            usage: podswitch bench [SCENARIO...] [--duration S] [--repeat N] [--warmup S] [--cores LIST]
                                   [--packet-size LIST] [--out DIR] [--seed N] [--smoke] [--side LIST]
                   podswitch bench list
                   podswitch bench compare OLD.json NEW.json [--threshold PCT]
              SCENARIO        scenario names (see `bench list`); default: all
              --duration S    seconds per measured repetition (default 10; also 500ms, 2m)
              --repeat N      measured repetitions per step (default 5)
              --warmup S      warm-up before each step, excluded from the figures (default 3)
              --cores LIST    CPUs for the forwarder, e.g. 2-5,8 (default: all online CPUs)
              --packet-size LIST  frame sizes in bytes, 64..9000 (default 64,128,256,512,1024,1500)
              --out DIR       report directory (default bench-results/<date-time>)
              --seed N        seed for every random choice (default fixed)
              --smoke         run each step minimally: proves the harness works, measures nothing
              --side LIST     only these subjects, e.g. kernel-iptables,podswitch (service scenario; default all)
              --threshold PCT compare: regression threshold in percent (default 5)
            exit: 0 ok, 2 usage error, 1 run or I/O failure; compare: 3 when regressions were found
            """;

    public static final double DEFAULT_THRESHOLD_PERCENT = 5.0;

    private BenchArguments() {
    }

    public static BenchInvocation parse(String[] args, int onlineCpus) throws UsageException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            return new BenchInvocation.Help();
        }
        if (args.length > 0 && args[0].equals("list")) {
            if (args.length > 1) {
                throw new UsageException("list takes no arguments, got '" + args[1] + "'");
            }
            return new BenchInvocation.ListScenarios();
        }
        if (args.length > 0 && args[0].equals("compare")) {
            return parseCompare(args);
        }
        List<String> scenarios = new ArrayList<>();
        Duration duration = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(3);
        int repeat = 5;
        List<Integer> cores = null;
        List<Integer> sizes = BenchSettings.DEFAULT_PACKET_SIZES;
        Path out = null;
        boolean smoke = false;
        long seed = BenchSettings.DEFAULT_SEED;
        List<String> sides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--duration" -> duration = positive(seconds(a, value(args, ++i, a)), a);
                case "--warmup" -> warmup = seconds(a, value(args, ++i, a));
                case "--repeat" -> repeat = intValue(a, value(args, ++i, a), 1, 1000);
                case "--cores" -> cores = cpuList(value(args, ++i, a), onlineCpus);
                case "--packet-size" -> sizes = packetSizes(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--seed" -> seed = longValue(a, value(args, ++i, a));
                case "--smoke" -> smoke = true;
                case "--side" -> sides.addAll(sideList(value(args, ++i, a)));
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    if (!a.matches("[a-z0-9][a-z0-9-]*")) {
                        throw new UsageException("'" + a + "' is not a scenario name");
                    }
                    scenarios.add(a);
                }
            }
        }
        if (cores == null) {
            cores = new ArrayList<>();
            for (int c = 0; c < onlineCpus; c++) {
                cores.add(c);
            }
        }
        if (out == null) {
            out = Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        BenchSettings settings = new BenchSettings(scenarios, duration, warmup, repeat, cores, sizes, out, false, seed, sides);
        return new BenchInvocation.Run(smoke ? settings.asSmoke() : settings);
    }

    private static BenchInvocation parseCompare(String[] args) throws UsageException {
        List<Path> files = new ArrayList<>();
        double threshold = DEFAULT_THRESHOLD_PERCENT;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--threshold")) {
                String v = value(args, ++i, "--threshold");
                try {
                    threshold = Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
                } catch (NumberFormatException e) {
                    throw new UsageException("--threshold needs a percentage, got '" + v + "'");
                }
                if (!(threshold >= 0 && threshold < 1000)) {
                    throw new UsageException("--threshold must be within 0..1000 percent, got '" + v + "'");
                }
            } else if (args[i].startsWith("-")) {
                throw new UsageException("unknown compare option '" + args[i] + "'");
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.size() != 2) {
            throw new UsageException("compare needs exactly two report files (OLD.json NEW.json), got " + files.size());
        }
        return new BenchInvocation.Compare(files.get(0), files.get(1), threshold);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    /** "10", "2.5", "10s", "500ms", "2m". */
    static Duration seconds(String option, String v) throws UsageException {
        String number = v;
        double scale = 1.0;
        if (v.endsWith("ms")) {
            number = v.substring(0, v.length() - 2);
            scale = 0.001;
        } else if (v.endsWith("s")) {
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            number = v.substring(0, v.length() - 1);
            scale = 60.0;
        }
        double s;
        try {
            s = Double.parseDouble(number) * scale;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs seconds (e.g. 10, 2.5, 500ms, 2m), got '" + v + "'");
        }
        if (!(s >= 0) || s > 86_400) {
            throw new UsageException(option + " must be between 0 and 86400 seconds, got '" + v + "'");
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static Duration positive(Duration d, String option) throws UsageException {
        if (d.isZero()) {
            throw new UsageException(option + " must be positive");
        }
        return d;
    }

    private static int intValue(String option, String v, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new UsageException(option + " must be within " + min + ".." + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a whole number, got '" + v + "'");
        }
    }

    private static long longValue(String option, String v) throws UsageException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a whole number, got '" + v + "'");
        }
    }

    /** "0-3,6" → [0, 1, 2, 3, 6]; every CPU must be online. */
    static List<Integer> cpuList(String v, int onlineCpus) throws UsageException {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : v.split(",", -1)) {
            String[] range = part.split("-", -1);
            try {
                int from = Integer.parseInt(range[0].trim());
                int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
                if (range.length > 2 || from > to || from < 0) {
                    throw new UsageException("--cores: bad range '" + part + "' in '" + v + "'");
                }
                for (int c = from; c <= to; c++) {
                    if (c >= onlineCpus) {
                        throw new UsageException("--cores: CPU " + c + " is not online (this machine has " + onlineCpus
                                + ")");
                    }
                    cpus.add(c);
                }
            } catch (NumberFormatException e) {
                throw new UsageException("--cores needs a CPU list like 0-3,6, got '" + v + "'");
            }
        }
        return new ArrayList<>(cpus);
    }

    /** "kernel-iptables,podswitch" → names; each must look like a subject name. */
    static List<String> sideList(String v) throws UsageException {
        List<String> sides = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String name = part.trim();
            if (!name.matches("[a-z0-9][a-z0-9-]*")) {
                throw new UsageException("--side needs names like kernel-iptables,podswitch, got '" + v + "'");
            }
            sides.add(name);
        }
        return sides;
    }

    static List<Integer> packetSizes(String v) throws UsageException {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (String part : v.split(",", -1)) {
            try {
                int size = Integer.parseInt(part.trim());
                if (size < 64 || size > 9000) {
                    throw new UsageException("--packet-size: " + size + " is outside 64..9000 bytes");
                }
                sizes.add(size);
            } catch (NumberFormatException e) {
                throw new UsageException("--packet-size needs sizes like 64,512,1500, got '" + v + "'");
            }
        }
        return new ArrayList<>(sizes);
    }
}
