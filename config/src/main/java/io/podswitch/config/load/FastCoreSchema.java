package io.podswitch.config.load;

import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * The YAML 1.2 core schema of snakeyaml-engine with a faster way to the same tags. Its resolver tries regular
 * expressions on every plain scalar, keys included — at least two (empty, null) and up to four — chosen by the
 * first character; in a cluster file of 10,000 policy rules that is a quarter of the YAML compose. Most scalars can
 * be told apart by a character or two: names and keys ({@code ipBlock}, {@code namespace}, {@code from}, {@code TCP})
 * are text unless they are one of a few words, and a CIDR or an IPv6 address (a {@code /} or {@code :}) is never a
 * number. Those are answered here; anything else goes to the core resolver, so the tags are the core schema's exactly
 * ({@code FastCoreSchemaTest} compares the two on every first character and on generated scalars).
 *
 * <p>The core resolver, as registered by snakeyaml-engine's {@code CoreScalarResolver}: by first character, bool
 * ({@code tfTF}), int and float ({@code -+0-9}, float also {@code .}), null ({@code n}), env ({@code $}); then for
 * every scalar the empty string and {@code ~ null Null NULL} and a single space as null; anything else is text.
 */
public final class FastCoreSchema implements Schema {
    private static final Set<String> BOOLEANS = Set.of("true", "True", "TRUE", "false", "False", "FALSE");

    private final CoreSchema core = new CoreSchema();
    private final ScalarResolver coreResolver = core.getScalarResolver();
    private final ScalarResolver resolver = this::resolve;

    @Override
    public ScalarResolver getScalarResolver() {
        return resolver;
    }

    @Override
    public Map<Tag, ConstructNode> getSchemaTagConstructors() {
        return core.getSchemaTagConstructors();
    }

    private Tag resolve(String value, Boolean implicit) {
        if (!implicit || value.isEmpty()) {
            return coreResolver.resolve(value, implicit);
        }
        char first = value.charAt(0);
        return switch (first) {
            case 't', 'f', 'T', 'F' -> BOOLEANS.contains(value) ? Tag.BOOL : Tag.STR;
            case 'n' -> value.equals("null") ? Tag.NULL : Tag.STR;
            case 'N' -> value.equals("Null") || value.equals("NULL") ? Tag.NULL : Tag.STR;
            case '~' -> value.length() == 1 ? Tag.NULL : Tag.STR;
            case ' ' -> value.length() == 1 ? Tag.NULL : Tag.STR;
            case '$' -> coreResolver.resolve(value, implicit);
            case '-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                    value.indexOf('/') >= 0 || value.indexOf(':') >= 0 ? Tag.STR : coreResolver.resolve(value, implicit);
            default -> Tag.STR;
        };
    }
}
