package io.podswitch.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** {@link FastCoreSchema} resolves every plain scalar to the tag snakeyaml-engine's core schema gives it. */
class FastCoreSchemaTest {
    private static final ScalarResolver CORE = new CoreSchema().getScalarResolver();
    private static final ScalarResolver FAST = new FastCoreSchema().getScalarResolver();
    /** Every character a resolver branches on, and a few it does not. */
    private static final String ALPHABET = "tfTFnNuelrsaUELRSA~ $.{}-+0123456789oxXabcdefABCDEFiInNfF/:_?e E";

    @Example
    void theWordsAndShapesOfAClusterFile() {
        for (String s : List.of("", " ", "~", "null", "Null", "NULL", "nul", "nulls", "true", "True", "TRUE", "tRue",
                "false", "False", "FALSE", "from", "to", "TCP", "UDP", "name", "namespace", "Namespaces", "ipBlock",
                "172.16.0.1/32", "fd00::1", "fd00::/64", "10.244.0.0/16", "192.168.1.1", "8080", "+12", "-12", "0o17",
                "0x1F", "0xG", "1.5", ".5", "1e3", "1.2e-3", ".inf", "-.inf", "+.INF", ".nan", ".NaN", "1.", "-", "+",
                ".", "${HOME}", "${ HOME:-x }", "$HOME", "1:2", "12:30", "0b101", "~x", "yes", "no", "on", "off")) {
            for (boolean implicit : new boolean[] {true, false}) {
                assertEquals(CORE.resolve(s, implicit), FAST.resolve(s, implicit), "'" + s + "' implicit " + implicit);
            }
        }
    }

    @Property(tries = 20_000)
    void generatedScalars(@ForAll("scalars") String s) {
        assertEquals(CORE.resolve(s, true), FAST.resolve(s, true), "'" + s + "'");
    }

    @Provide
    Arbitrary<String> scalars() {
        Arbitrary<String> short_ = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(0).ofMaxLength(6);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(4);
        Arbitrary<String> numberish = Arbitraries.strings().withChars("0123456789.eE+-xo/:".toCharArray()).ofMinLength(1)
                .ofMaxLength(8);
        return Arbitraries.oneOf(short_, any, numberish);
    }
}
