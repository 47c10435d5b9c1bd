package io.podswitch.cni.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonParseException;
import io.podswitch.api.json.JsonParser;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Users copy conflists out of the docs as they are: every one in README.md and docs/*.md (in a
 * code block, or inside the DaemonSet's ConfigMap) must be one install-cni accepts and one that
 * containerd 1.6/1.7, CRI-O ≤ 1.30 and podman 4 accept — {@code cniVersion} 1.0.0 at most — and
 * the shipped file must offer 1.1.0 to newer runtimes through {@code cniVersions}.
 */
class DocumentedConflistsTest {

    @Test
    void theShippedConflistOffers100AndLists110() throws Exception {
        Conflist c = Conflist.parse(Files.readAllBytes(Path.of("conf/10-podswitch.conflist")), "conf/10-podswitch.conflist");
        assertEquals("1.0.0", c.cniVersion());
        assertTrue(c.cniVersions().containsAll(List.of("1.0.0", "1.1.0")), c.cniVersions().toString());
        assertEquals(List.of(), c.warnings());
        assertEquals(List.of("podswitch-cni", "portmap"), c.pluginTypes());
    }

    @Test
    void everyConflistInTheDocsIsOneOldRuntimesAccept() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(Path.of("../README.md")));
        try (Stream<Path> docs = Files.list(Path.of("../docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        int found = 0;
        for (Path page : pages) {
            for (String json : jsonObjects(Files.readString(page))) {
                JsonValue v;
                try {
                    v = JsonParser.parse(json);
                } catch (JsonParseException e) {
                    continue; // prose or a fragment, not a document
                }
                if (v instanceof JsonObject o && o.has("plugins")) {
                    found++;
                    Conflist c = Conflist.parse(json.getBytes(StandardCharsets.UTF_8), page.toString());
                    assertEquals(List.of(), c.warnings(), page + ": " + json);
                }
            }
        }
        assertTrue(found >= 3, "expected the conflists of cni.md and operations.md, found " + found);
    }

    @Test
    void noDocumentedLauncherOrConfigStillNamesTheOldCachePath() throws Exception {
        for (Path page : List.of(Path.of("../docs/cni.md"), Path.of("../docs/operations.md"))) {
            assertFalse(Files.readString(page).contains("/var/lib/podswitch/podswitch-cni.aot"), page.toString());
        }
    }

    /** Every balanced {...} region that starts a line (after indentation), strings respected. */
    static List<String> jsonObjects(String text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '{' || !startsLine(text, i)) {
                continue;
            }
            int depth = 0;
            boolean inString = false;
            for (int j = i; j < text.length(); j++) {
                char c = text.charAt(j);
                if (inString) {
                    if (c == '\\') {
                        j++;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    out.add(text.substring(i, j + 1));
                    break;
                }
            }
        }
        return out;
    }

    private static boolean startsLine(String text, int i) {
        for (int k = i - 1; k >= 0; k--) {
            char c = text.charAt(k);
            if (c == '\n') {
                return true;
            }
            if (c != ' ') {
                return false;
            }
        }
        return true;
    }
}
