package io.podswitch.config.load;

import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Turns YAML text into a node tree that keeps every value's line and column. Syntax errors become one
 * located problem instead of an exception trace.
 */
public final class YamlDocument {
    /** Stateless: the core schema's constructors and a resolver that keeps nothing between scalars. */
    private static final FastCoreSchema SCHEMA = new FastCoreSchema();

    private YamlDocument() {
    }

    /** Code points snakeyaml reads at most; a longer text is refused, with the error snakeyaml gives. */
    private static final int CODE_POINT_LIMIT = 8 * 1024 * 1024;

    /**
     * The root node as {@link #compose} would give it but without marks, composed by {@link QuickYaml}; null when the
     * text is outside its subset. For a file that loads without a problem only: a problem found in this tree has no
     * line and column, so the caller composes the text with {@link #compose} to report it.
     */
    public static Node composeQuick(String text) {
        return text.length() > CODE_POINT_LIMIT ? null : QuickYaml.compose(text, SCHEMA.getScalarResolver());
    }

    /** The document's root node, or empty after reporting why there is none. */
    public static Optional<Node> compose(String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(problems.fileName())
                .setSchema(SCHEMA)
                .setAllowRecursiveKeys(false)
                // Compose them so Fields can report a non-text key where it is, instead of an unlocated error.
                .setAllowNonScalarKeys(true)
                .setMaxAliasesForCollections(50)
                .setCodePointLimit(CODE_POINT_LIMIT)
                .build();
        try {
            Optional<Node> root = new Compose(settings).composeString(text);
            if (root.isEmpty()) {
                problems.report(new SourcePosition(1, 1), "", "the file is empty; it needs at least ipFamilies, podCIDRs, "
                        + "serviceCIDRs, nodeCIDRs and nodes");
            }
            return root;
        } catch (MarkedYamlEngineException e) {
            SourcePosition position = e.getProblemMark().or(e::getContextMark).map(SourcePosition::of)
                    .orElse(new SourcePosition(1, 1));
            problems.report(position, "", "YAML syntax error: " + describe(e));
            return Optional.empty();
        } catch (YamlEngineException e) {
            problems.report(new SourcePosition(1, 1), "", "YAML error: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String describe(MarkedYamlEngineException e) {
        String context = e.getContext();
        String problem = e.getProblem();
        if (context == null || context.isEmpty()) {
            return problem;
        }
        return problem == null ? context : problem + " (" + context + ")";
    }
}
