package io.gochat.mq.coord;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeySuggesterTest {
    private static final List<String> PRODUCER = List.of("requiredAcks", "enableIdempotence", "compression",
            "batchSize", "lingerMs", "deliveryTimeoutMs", "closeTimeoutMs", "properties");

    @Test
    @DisplayName("a key that differs only in case, or by a typo or two, gets the nearest known key")
    void typos() {
        assertThat(KeySuggester.nearest("lingerMS", PRODUCER)).hasValue("lingerMs");
        assertThat(KeySuggester.nearest("compresion", PRODUCER)).hasValue("compression");
        assertThat(KeySuggester.nearest("batchsize", PRODUCER)).hasValue("batchSize");
        assertThat(KeySuggester.nearest("requireAck", PRODUCER)).hasValue("requiredAcks");
    }

    @Test
    @DisplayName("a key unlike any known one gets no suggestion")
    void farAway() {
        assertThat(KeySuggester.nearest("flavour", PRODUCER)).isEmpty();
        assertThat(KeySuggester.nearest("x", PRODUCER)).isEmpty();
    }

    @Test
    @DisplayName("the Levenshtein distance counts insertions, deletions and substitutions")
    void distance() {
        assertThat(KeySuggester.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(KeySuggester.distance("", "abc")).isEqualTo(3);
        assertThat(KeySuggester.distance("same", "same")).isZero();
    }
}
