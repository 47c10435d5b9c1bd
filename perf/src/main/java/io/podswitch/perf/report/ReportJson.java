package io.podswitch.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes report.json (schema {@value Report#SCHEMA}, see docs/bench-harness.md). */
public final class ReportJson {

    private ReportJson() {
    }

    public static String toJson(Report report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", Report.SCHEMA);
        root.put("schemaVersion", report.schemaVersion());
        root.put("machine", machine(report.machine()));
        root.put("settings", settings(report.settings()));
        List<Object> scenarios = new ArrayList<>();
        for (ScenarioInfo s : report.scenarios()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("description", s.description());
            m.put("elapsedSeconds", s.elapsedSeconds());
            List<Object> subjects = new ArrayList<>();
            for (SubjectJvm jvm : s.subjects()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("subject", jvm.subject());
                j.put("process", jvm.process());
                j.put("jvmFlags", new ArrayList<Object>(jvm.jvmFlags()));
                j.put("compilers", jvm.compilers());
                j.put("missingShippedFlags", new ArrayList<Object>(jvm.missingShippedFlags()));
                subjects.add(j);
            }
            m.put("subjects", subjects);
            scenarios.add(m);
        }
        root.put("scenarios", scenarios);
        List<Object> missing = new ArrayList<>();
        for (MissingTool t : report.missingTools()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", t.tool());
            m.put("neededBy", t.neededBy());
            m.put("installHint", t.installHint());
            missing.add(m);
        }
        root.put("missingTools", missing);
        List<Object> measurements = new ArrayList<>();
        for (Measurement x : report.measurements()) {
            measurements.add(measurement(x));
        }
        root.put("measurements", measurements);
        return Json.write(root);
    }

    public static void write(Report report, Path file) throws IOException {
        Files.writeString(file, toJson(report), StandardCharsets.UTF_8);
    }

    public static Report read(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses report.json; a different schema or a newer schema version is refused with a clear error. */
    public static Report fromJson(String text) {
        Map<String, Object> root = object(Json.parse(text), "report");
        String schema = string(root, "schema");
        if (!Report.SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("not a podswitch bench report (schema '" + schema + "')");
        }
        int version = integer(root, "schemaVersion");
        if (version < 1 || version > Report.SCHEMA_VERSION) {
            throw new IllegalArgumentException("report schema version " + version + " is not supported (this build reads 1.."
                    + Report.SCHEMA_VERSION + ")");
        }
        List<ScenarioInfo> scenarios = new ArrayList<>();
        for (Object o : list(root, "scenarios")) {
            Map<String, Object> m = object(o, "scenario");
            List<SubjectJvm> subjects = new ArrayList<>();
            for (Object s : m.containsKey("subjects") ? list(m, "subjects") : List.of()) { // added in the same version
                Map<String, Object> j = object(s, "subject JVM");
                subjects.add(new SubjectJvm(string(j, "subject"), string(j, "process"), strings(j, "jvmFlags"),
                        string(j, "compilers"), strings(j, "missingShippedFlags")));
            }
            scenarios.add(new ScenarioInfo(string(m, "name"), string(m, "description"), number(m, "elapsedSeconds"),
                    subjects));
        }
        List<MissingTool> missing = new ArrayList<>();
        for (Object o : list(root, "missingTools")) {
            Map<String, Object> m = object(o, "missing tool");
            missing.add(new MissingTool(string(m, "tool"), string(m, "neededBy"), string(m, "installHint")));
        }
        List<Measurement> measurements = new ArrayList<>();
        for (Object o : list(root, "measurements")) {
            measurements.add(measurement(object(o, "measurement")));
        }
        return new Report(version, machine(object(root.get("machine"), "machine")),
                settings(object(root.get("settings"), "settings")), scenarios, missing, measurements);
    }

    private static Map<String, Object> machine(MachineDescription d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", d.hostname());
        m.put("cpuModel", d.cpuModel());
        m.put("logicalCores", d.logicalCores());
        m.put("cpuFrequency", d.cpuFrequency());
        m.put("governor", d.governor());
        m.put("kernel", d.kernel());
        m.put("jdk", d.jdk());
        m.put("jvmFlags", new ArrayList<Object>(d.jvmFlags()));
        m.put("date", d.date());
        m.put("gitCommit", d.gitCommit());
        return m;
    }

    private static MachineDescription machine(Map<String, Object> m) {
        return new MachineDescription(string(m, "hostname"), string(m, "cpuModel"), integer(m, "logicalCores"),
                string(m, "cpuFrequency"), string(m, "governor"), string(m, "kernel"), string(m, "jdk"),
                strings(m, "jvmFlags"),
                string(m, "date"), string(m, "gitCommit"));
    }

    private static Map<String, Object> settings(RunSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("durationSeconds", s.durationSeconds());
        m.put("warmupSeconds", s.warmupSeconds());
        m.put("repeat", s.repeat());
        m.put("cores", new ArrayList<Object>(s.cores()));
        m.put("packetSizes", new ArrayList<Object>(s.packetSizes()));
        m.put("smoke", s.smoke());
        m.put("seed", s.seed());
        return m;
    }

    private static RunSettings settings(Map<String, Object> m) {
        return new RunSettings(number(m, "durationSeconds"), number(m, "warmupSeconds"), integer(m, "repeat"),
                integers(m, "cores"), integers(m, "packetSizes"), bool(m, "smoke"), (long) number(m, "seed"));
    }

    private static Map<String, Object> measurement(Measurement x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", x.scenario());
        m.put("subject", x.subject());
        m.put("metric", x.metric());
        m.put("unit", x.unit());
        m.put("better", x.direction().jsonName());
        m.put("parameters", new LinkedHashMap<String, Object>(x.parameters()));
        m.put("status", x.status().jsonName());
        m.put("values", x.values());
        var summary = x.summary();
        if (summary != null) {
            m.put("median", summary.median());
            m.put("min", summary.min());
            m.put("max", summary.max());
        }
        m.put("note", x.note());
        return m;
    }

    private static Measurement measurement(Map<String, Object> m) {
        Map<String, String> params = new TreeMap<>();
        object(m.get("parameters"), "parameters").forEach((k, v) -> params.put(k, String.valueOf(v)));
        List<Object> rawValues = list(m, "values");
        double[] values = new double[rawValues.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(rawValues.get(i) instanceof Double d)) {
                throw new IllegalArgumentException("measurement values must be numbers, got " + rawValues.get(i));
            }
            values[i] = d;
        }
        return new Measurement(string(m, "scenario"), string(m, "subject"), string(m, "metric"), string(m, "unit"),
                Direction.fromJson(string(m, "better")), new TreeMap<>(params), Status.fromJson(string(m, "status")),
                values, string(m, "note"));
    }

    // ---- typed access with precise errors

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (o instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + ": expected an object, got " + o);
    }

    private static Object field(Map<String, Object> m, String key) {
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException("missing field '" + key + "'");
        }
        return m.get(key);
    }

    private static String string(Map<String, Object> m, String key) {
        if (field(m, key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("field '" + key + "' must be a string");
    }

    private static double number(Map<String, Object> m, String key) {
        if (field(m, key) instanceof Double d) {
            return d;
        }
        throw new IllegalArgumentException("field '" + key + "' must be a number");
    }

    private static int integer(Map<String, Object> m, String key) {
        double d = number(m, key);
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException("field '" + key + "' must be an integer, got " + d);
        }
        return (int) d;
    }

    private static boolean bool(Map<String, Object> m, String key) {
        if (field(m, key) instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("field '" + key + "' must be true or false");
    }

    private static List<Object> list(Map<String, Object> m, String key) {
        if (field(m, key) instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw new IllegalArgumentException("field '" + key + "' must be an array");
    }

    private static List<String> strings(Map<String, Object> m, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : list(m, key)) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static List<Integer> integers(Map<String, Object> m, String key) {
        List<Integer> out = new ArrayList<>();
        for (Object o : list(m, key)) {
            if (!(o instanceof Double d) || d != Math.rint(d)) {
                throw new IllegalArgumentException("field '" + key + "' must hold integers, got " + o);
            }
            out.add(d.intValue());
        }
        return out;
    }
}
