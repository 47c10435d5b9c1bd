package io.podswitch.config.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.podswitch.config.ConfigError;
import io.podswitch.config.ConfigException;
import io.podswitch.config.ConfigLoader;
import io.podswitch.config.model.ClusterConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A small valid dual-stack file and helpers to break one line of it. The line an error must point at
 * carries the marker {@code # <-}, so tests state the expected line where the reader sees it.
 */
final class ConfigFixture {

    static final String FILE = "cluster.yaml";
    static final String MARK = "# <-";

    static final String BASE = """
            ipFamilies: [IPv4, IPv6]
            podCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
            serviceCIDRs: [10.96.0.0/16, "fd00:10:96::/112"]
            nodeCIDRs: [192.168.100.0/24, "fd00:192:168:100::/64"]
            node: node-a
            overlay:
              mode: vxlan
              vni: 1
            nodes:
              - name: node-a
                addresses: [192.168.100.11, "fd00:192:168:100::11"]
                uplink: {interface: eth0, mtu: 1500}
              - name: node-b
                addresses: [192.168.100.12, "fd00:192:168:100::12"]
                uplink: {interface: eth0, mtu: 1500}
            services:
              - name: web
                vips: [10.96.0.10]
                ports:
                  - {name: http, port: 80, targetPort: 8080}
                backends:
                  - {address: 10.244.0.5}
            """;

    private ConfigFixture() {
    }

    /** BASE with the first line containing {@code containing} replaced by {@code replacement}. */
    static String replace(String containing, String replacement) {
        return replace(BASE, containing, replacement);
    }

    static String replace(String yaml, String containing, String replacement) {
        List<String> lines = yaml.lines().collect(Collectors.toList());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(containing)) {
                lines.set(i, replacement);
                return String.join("\n", lines) + "\n";
            }
        }
        throw new IllegalArgumentException("no line contains " + containing);
    }

    static ClusterConfig load(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, Map.of());
    }

    static List<ConfigError> errors(String yaml, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, env));
        return e.errors();
    }

    /**
     * Asserts an error with {@code path} whose message contains {@code fragment}, on the marked line, with a
     * real column; returns it for further checks.
     */
    static ConfigError assertError(String yaml, String path, String fragment) {
        return assertError(yaml, Map.of(), path, fragment);
    }

    static ConfigError assertError(String yaml, Map<String, String> env, String path, String fragment) {
        List<ConfigError> errors = errors(yaml, env);
        int line = markedLine(yaml);
        for (ConfigError error : errors) {
            if (error.path().equals(path) && error.message().contains(fragment)) {
                assertEquals(FILE, error.file());
                assertEquals(line, error.line(), () -> "line of " + error.format());
                assertTrue(error.column() >= 1, error::format);
                return error;
            }
        }
        return fail("no error at " + path + " containing '" + fragment + "'; got:\n"
                + errors.stream().map(ConfigError::format).collect(Collectors.joining("\n")));
    }

    static int markedLine(String yaml) {
        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(MARK)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("the test YAML has no " + MARK + " marker");
    }
}
