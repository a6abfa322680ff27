package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SamplesTest {

    @Test
    @DisplayName("the median of an odd count is the middle value, of an even count the mean of the middle two")
    void median() {
        assertThat(Samples.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Samples.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Samples.median(new double[0])).isZero();
    }

    @Test
    @DisplayName("quantiles use the nearest rank of sorted values")
    void quantile() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(Samples.quantile(sorted, 0.50)).isEqualTo(50);
        assertThat(Samples.quantile(sorted, 0.99)).isEqualTo(99);
        assertThat(Samples.quantile(sorted, 1.0)).isEqualTo(100);
        assertThat(Samples.quantile(new long[] {7}, 0.99)).isEqualTo(7);
    }

    @Test
    @DisplayName("ratios pair values by index")
    void ratios() {
        assertThat(Samples.ratios(new double[] {1, 3}, new double[] {2, 4})[1]).isCloseTo(0.75, within(1e-9));
        assertThat(Samples.concat(new double[] {1}, new double[] {2, 3})).containsExactly(1, 2, 3);
    }
}
