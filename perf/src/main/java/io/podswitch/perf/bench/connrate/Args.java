package io.podswitch.perf.bench.connrate;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs of the load mains; a bad value names the option. */
record Args(Map<String, String> values) {

    static Args parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected '--option value', got '" + args[i] + "'");
            }
            m.put(args[i], args[++i]);
        }
        return new Args(m);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int intValue(String name, int min, int max, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + v + "'");
        }
    }
}
