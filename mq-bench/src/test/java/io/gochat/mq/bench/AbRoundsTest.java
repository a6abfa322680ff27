package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AbRoundsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Progress progress = new Progress(new PrintStream(out, true, StandardCharsets.UTF_8));
    private final List<String> calls = new ArrayList<>();

    private AbRounds.Round contender(String name, double base) {
        return round -> {
            calls.add(name + round);
            return base + round;
        };
    }

    @Test
    @DisplayName("two contenders: warm-ups A B, then pairs alternate A B, B A; each value is its own round's")
    void pairsAlternate() throws Exception {
        AbRounds.Result r = AbRounds.run("t", 1, 3, contender("a", 100), contender("b", 200), progress);

        assertThat(calls).containsExactly("a0", "b1", "a2", "b3", "b4", "a5", "a6", "b7");
        assertThat(r.a).containsExactly(102, 105, 106);
        assertThat(r.b).containsExactly(203, 204, 207);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("t: pair 3/3  library 106 raw 207  ratio 0.512");
    }

    @Test
    @DisplayName("three contenders: the order rotates by one each round, and values land under their contender")
    void roundsRotate() throws Exception {
        double[][] r = AbRounds.rotate("t", 1, 3, new String[] {"a", "b", "c"}, new AbRounds.Round[] {
            contender("a", 100), contender("b", 200), contender("c", 300)}, progress);

        assertThat(calls).containsExactly("a0", "b1", "c2", "a3", "b4", "c5", "b6", "c7", "a8", "c9", "a10", "b11");
        assertThat(r[0]).containsExactly(103, 108, 110);
        assertThat(r[1]).containsExactly(204, 206, 211);
        assertThat(r[2]).containsExactly(305, 307, 309);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("t: round 2/3  a 108 b 206 c 307  ratio 0.524");
    }
}
