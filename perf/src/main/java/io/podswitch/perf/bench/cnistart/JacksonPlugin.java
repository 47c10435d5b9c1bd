package io.podswitch.perf.bench.cnistart;

import io.podswitch.cni.PodswitchCni;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The CNI plugin with Jackson (the project's JSON library elsewhere) reading the network config from
 * stdin and writing the result to stdout — the question the plugin's hand-written JSON answers: what
 * would Jackson add to every pod start? The config goes through Jackson ({@code readTree}, written
 * back) into the plugin's own code, and the plugin's output through Jackson again ({@code readTree},
 * pretty printer), so the JVM loads, links and initialises what a Jackson-based plugin would. An upper
 * bound by a hair: the plugin's own small parser still runs too.
 *
 * <p>{@code --train ENV...}: runs VERSION and STATUS in this JVM for an AOT cache training run.
 */
public final class JacksonPlugin {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JacksonPlugin() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--train")) {
            byte[] conf = System.in.readAllBytes();
            for (String command : new String[] {"VERSION", "STATUS", "VERSION", "STATUS"}) {
                Map<String, String> env = new HashMap<>(System.getenv());
                env.put("CNI_COMMAND", command);
                invoke(env, conf, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            }
            return;
        }
        int exit = invoke(System.getenv(), System.in.readAllBytes(), System.out);
        System.out.flush();
        Runtime.getRuntime().halt(exit);
    }

    private static int invoke(Map<String, String> env, byte[] stdin, PrintStream stdout) {
        byte[] config = stdin;
        if (stdin.length > 0) {
            JsonNode parsed = MAPPER.readTree(stdin);
            config = MAPPER.writeValueAsBytes(parsed);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = PodswitchCni.run(env, new ByteArrayInputStream(config), new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        if (out.size() > 0) {
            stdout.writeBytes(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(MAPPER.readTree(out.toByteArray())));
            stdout.println();
        }
        return exit;
    }
}
