package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    @DisplayName("by default every figure is measured on the in-process broker, 4 warm-ups and 7 pairs")
    void defaults() {
        BenchOptions o = BenchOptions.parse(new String[0]);

        assertThat(o.parts).isEqualTo(EnumSet.allOf(BenchOptions.Part.class));
        assertThat(o.bootstrap).isNull();
        assertThat(o.warmups).isEqualTo(4);
        assertThat(o.pairs).isEqualTo(7);
        assertThat(o.rate).isEqualTo(2000);
    }

    @Test
    @DisplayName("--only, --bootstrap, --pairs, --warmups and --rate are taken as given")
    void options() {
        BenchOptions o = BenchOptions.parse(new String[] {"--only", "latency,producer", "--bootstrap=k1:9092,k2:9092",
                "--pairs", "3", "--warmups", "1", "--rate", "500"});

        assertThat(o.parts).containsExactlyInAnyOrder(BenchOptions.Part.LATENCY, BenchOptions.Part.PRODUCER);
        assertThat(o.bootstrap).isEqualTo("k1:9092,k2:9092");
        assertThat(o.pairs).isEqualTo(3);
        assertThat(o.warmups).isEqualTo(1);
        assertThat(o.rate).isEqualTo(500);
    }

    @Test
    @DisplayName("--only slow: the slow-handler figure alone; 20,000+ messages, concurrency 1 timed over fewer; --quick shrinks both")
    void slow() {
        BenchOptions full = BenchOptions.parse(new String[] {"--only", "slow"});
        BenchOptions quick = BenchOptions.parse(new String[] {"--only", "slow", "--quick"});

        assertThat(full.parts).containsExactly(BenchOptions.Part.SLOW);
        assertThat(full.slowMessages).isGreaterThanOrEqualTo(20_000);
        assertThat(full.slowC1Messages).isPositive().isLessThan(full.slowMessages);
        assertThat(quick.slowMessages).isLessThan(full.slowMessages);
        assertThat(quick.slowC1Messages).isPositive().isLessThan(quick.slowMessages);
        assertThat(quick.noopMessages).isPositive().isLessThan(full.noopMessages);
    }

    @Test
    @DisplayName("bad values are refused with what is allowed")
    void badValues() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--bootstrap", "kafka"}))
                .hasMessage("--bootstrap: expected host:port[,host:port...] but was [kafka]");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--pairs", "0"}))
                .hasMessage("--pairs: expected a whole number from 1 to 1000 but was [0]");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--fast"}))
                .hasMessage("unknown option [--fast]");
    }
}
