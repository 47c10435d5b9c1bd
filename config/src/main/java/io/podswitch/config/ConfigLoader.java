package io.podswitch.config;

import io.podswitch.config.load.Problems;
import io.podswitch.config.load.SpecReader;
import io.podswitch.config.load.YamlDocument;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.validate.ClusterValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads a cluster network configuration: YAML text to an immutable {@link ClusterConfig}, or a
 * {@link ConfigException} listing every problem with file, line, column and field path.
 */
public final class ConfigLoader {

    /** Class-path resource of the dual-stack, three-node example configuration. */
    public static final String EXAMPLE_RESOURCE = "example-cluster.yaml";

    private ConfigLoader() {
    }

    /** Loads {@code file} using the process environment ({@code NODE_NAME}). */
    public static ClusterConfig load(Path file) throws ConfigException {
        return load(file, System.getenv());
    }

    /**
     * Loads {@code file}; {@code env} supplies {@code NODE_NAME}, which overrides the file's {@code node:}.
     * Errors name the file as given (e.g. {@code config/cluster.yaml}).
     */
    public static ClusterConfig load(Path file, Map<String, String> env) throws ConfigException {
        return load(file, read(file), env);
    }

    /**
     * The bytes of {@code file}, for {@link #load(Path, byte[], Map)}: a caller that keeps them can tell an unchanged
     * file without parsing it again (a reload of a large file is mostly parsing).
     */
    public static byte[] read(Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw unreadable(file.toString(), "no such file");
        } catch (IOException e) {
            throw unreadable(file.toString(), "cannot read the file: " + e.getMessage());
        }
    }

    /** As {@link #load(Path, Map)}, for the {@code content} {@link #read} returned for {@code file}. */
    public static ClusterConfig load(Path file, byte[] content, Map<String, String> env) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            // Strict decoding: a file in another encoding is reported, not read as replacement characters.
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw unreadable(name, "the file is not UTF-8 text");
        }
        return parse(text, name, env);
    }

    /** Parses configuration text; {@code fileName} is only used in error messages. */
    public static ClusterConfig parse(String text, String fileName, Map<String, String> env) throws ConfigException {
        // The quick composer first (a policy update's file is mostly YAML to scan); its tree has no marks, so it only
        // ever accepts a valid file: any problem, or text outside its subset, goes the full way below, which
        // reports every problem with its line and column.
        Node quick = YamlDocument.composeQuick(text);
        if (quick != null) {
            Problems unlocated = new Problems(fileName);
            Optional<ClusterConfig> config = new SpecReader(unlocated).read(quick)
                    .flatMap(spec -> new ClusterValidator(unlocated).validate(spec, env));
            if (config.isPresent() && unlocated.isEmpty()) {
                return config.get();
            }
        }
        Problems problems = new Problems(fileName);
        Optional<ClusterConfig> config = YamlDocument.compose(text, problems)
                .flatMap(root -> new SpecReader(problems).read(root))
                .flatMap(spec -> new ClusterValidator(problems).validate(spec, env));
        if (config.isEmpty() || !problems.isEmpty()) {
            throw new ConfigException(problems.inFileOrder());
        }
        return config.get();
    }

    /** The text of the embedded example configuration (dual-stack, IPv4 primary, three nodes). */
    public static String exampleText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + EXAMPLE_RESOURCE + " is missing from the podswitch-config jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The embedded example, loaded without environment overrides (its node names are its own). */
    public static ClusterConfig loadExample() throws ConfigException {
        return parse(exampleText(), EXAMPLE_RESOURCE, Map.of());
    }

    private static ConfigException unreadable(String name, String why) {
        return new ConfigException(List.of(new ConfigError(name, 0, 0, "", why)));
    }
}
