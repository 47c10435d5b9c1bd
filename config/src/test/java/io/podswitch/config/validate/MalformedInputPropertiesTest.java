package io.podswitch.config.validate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bad input never crashes the loader: random edits of the example (lines dropped, duplicated, swapped,
 * characters replaced) either load or fail with located {@link ConfigError}s, never another exception.
 */
class MalformedInputPropertiesTest {

    private static final List<String> LINES = ConfigLoader.exampleText().lines().toList();

    @Provide
    Arbitrary<String> mangled() {
        Arbitrary<int[]> edit = Arbitraries.integers().between(0, 3).flatMap(kind -> Arbitraries.integers()
                .between(0, LINES.size() - 1).list().ofSize(2).flatMap(at -> Arbitraries.chars()
                        .with(':', ' ', '-', '[', ']', '{', '}', '/', '.', '0', '9', 'x', '"', '#', '\t')
                        .map(c -> new int[] {kind, at.get(0), at.get(1), c})));
        return edit.list().ofMinSize(1).ofMaxSize(4).map(edits -> {
            List<String> lines = new ArrayList<>(LINES);
            for (int[] e : edits) {
                int a = Math.min(e[1], lines.size() - 1);
                int b = Math.min(e[2], lines.size() - 1);
                switch (e[0]) {
                    case 0 -> lines.remove(a);
                    case 1 -> lines.add(a, lines.get(b));
                    case 2 -> {
                        String t = lines.get(a);
                        lines.set(a, lines.get(b));
                        lines.set(b, t);
                    }
                    default -> {
                        String line = lines.get(a);
                        if (!line.isEmpty()) {
                            int pos = b % line.length();
                            lines.set(a, line.substring(0, pos) + (char) e[3] + line.substring(pos + 1));
                        }
                    }
                }
                if (lines.isEmpty()) {
                    lines.add("");
                }
            }
            return String.join("\n", lines);
        });
    }

    @Property(tries = 400)
    void mangledFilesLoadOrFailWithLocatedErrors(@ForAll("mangled") String yaml) {
        try {
            ConfigLoader.parse(yaml, "m.yaml", Map.of());
        } catch (ConfigException e) {
            assertFalse(e.errors().isEmpty());
            for (ConfigError error : e.errors()) {
                assertTrue(error.line() >= 1, error::format);
                assertFalse(error.message().isBlank(), error::format);
            }
        }
    }
}
