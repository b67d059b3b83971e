package dev.abortguard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogSafeTest {

    @ParameterizedTest
    @ValueSource(strings = {"\r", "\n", "\t", "\u0000", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029",
            "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069",
            "\u200E", "\u200F", "\u061C", "\uD800", "\uDC00"})
    void eachUnsafeCharacterIsReplaced(String unsafe) {
        assertThat(LogSafe.clean("a" + unsafe + "b")).isEqualTo("a_b");
    }

    @Test
    void printableTextAndSurrogatePairsAreKept() {
        assertThat(LogSafe.clean("POST http://h/p?q=ключ 💳")).isEqualTo("POST http://h/p?q=ключ 💳");
        assertThat(LogSafe.clean(null)).isEqualTo("null");
    }

    @Test
    void longValuesAreBoundedWithoutSplittingASurrogatePair() {
        String bounded = LogSafe.clean("k".repeat(100_000));
        assertThat(bounded).hasSize(LogSafe.MAX_LENGTH + 3).endsWith("k...");

        String pairAtTheCut = "a".repeat(LogSafe.MAX_LENGTH - 1) + "💳" + "tail";
        assertThat(LogSafe.clean(pairAtTheCut)).isEqualTo("a".repeat(LogSafe.MAX_LENGTH - 1) + "...");

        String pairBeforeTheCut = "a".repeat(LogSafe.MAX_LENGTH - 2) + "💳" + "tail";
        assertThat(LogSafe.clean(pairBeforeTheCut)).isEqualTo("a".repeat(LogSafe.MAX_LENGTH - 2) + "💳...");
    }
}
