package io.gochat.mq.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gochat.mq.testkit.TransportCompatibilityKit.Admin;
import io.gochat.mq.testkit.TransportCompatibilityKit.BrokerRestart;
import io.gochat.mq.testkit.TransportCompatibilityKit.Crash;
import io.gochat.mq.testkit.TransportCompatibilityKit.ParallelConsumption;
import io.gochat.mq.testkit.TransportCompatibilityKit.TraceId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit's reporting of what it could not check: groups skipped for a missing capability or an
 * MDC the fixture declares absent are listed at the end of the class, and a no-op MDC the fixture
 * did not declare fails the trace-id group.
 */
class SkippedGroupsTest {

    @Test
    @DisplayName("groups needing a capability the fixture lacks are skipped and listed, with the reason, in one WARN"
            + " line at the end of the class; groups that ran are not")
    void skippedGroupsAreListed() {
        List<String> warnings = warningsOfTheKit(() -> {
            EngineExecutionResults results = run(Map.of(BrokenToySuite.CAPABILITIES_PARAMETER, ""),
                    Crash.class, BrokerRestart.class, Admin.class);
            results.testEvents().assertStatistics(stats -> stats.aborted(tests(Crash.class) + tests(BrokerRestart.class))
                    .succeeded(tests(Admin.class)).failed(0));
        });

        assertThat(warnings).containsExactly("BrokenToySuite: contract tests skipped: crash (" + tests(Crash.class)
                + " tests: toy fixture cannot inject Capability.CRASH); broker restart (1 test: toy fixture cannot"
                + " inject Capability.BROKER_RESTART)");
    }

    @Test
    @DisplayName("nothing is listed when every group ran")
    void nothingSkippedNothingListed() {
        List<String> warnings = warningsOfTheKit(() -> run(Map.of(), Admin.class).testEvents()
                .assertStatistics(stats -> stats.succeeded(tests(Admin.class)).aborted(0).failed(0)));

        assertThat(warnings).isEmpty();
    }

    @Test
    @DisplayName("with a no-op MDC the trace-id group fails, saying to add logback-classic or declare runsWithoutMdc")
    void noOpMdcFailsTheTraceIdGroup() {
        EngineExecutionResults results = run(Map.of(BrokenToySuite.NO_OP_MDC_PARAMETER, "true"), TraceId.class);

        results.testEvents().assertStatistics(stats -> stats.failed(tests(TraceId.class)).aborted(0));
        assertThat(results.testEvents().failed().stream()
                .map(event -> event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                        .map(Throwable::getMessage).orElse("")))
                .allSatisfy(message -> assertThat(message).contains("no-op MDC", "logback-classic",
                        "TransportFixture.runsWithoutMdc()"));
    }

    @Test
    @DisplayName("a fixture that declares it runs without an MDC has the trace-id group skipped and listed")
    void declaredNoMdcSkipsTheTraceIdGroup() {
        List<String> warnings = warningsOfTheKit(() -> run(Map.of(BrokenToySuite.NO_OP_MDC_PARAMETER, "true",
                BrokenToySuite.RUNS_WITHOUT_MDC_PARAMETER, "true"), TraceId.class).testEvents()
                .assertStatistics(stats -> stats.aborted(tests(TraceId.class)).failed(0)));

        assertThat(warnings).containsExactly("BrokenToySuite: contract tests skipped: trace id (" + tests(TraceId.class)
                + " tests: toy fixture runs without an MDC (TransportFixture.runsWithoutMdc()))");
    }

    @Test
    @DisplayName("a group whose tests are skipped for different reasons lists each reason once")
    void everyReasonOfAGroupIsListed() {
        List<String> warnings = warningsOfTheKit(() -> run(Map.of(BrokenToySuite.CAPABILITIES_PARAMETER, "",
                BrokenToySuite.NO_OP_MDC_PARAMETER, "true", BrokenToySuite.RUNS_WITHOUT_MDC_PARAMETER, "true"),
                ParallelConsumption.class).testEvents()
                .assertStatistics(stats -> stats.aborted(3).succeeded(tests(ParallelConsumption.class) - 3).failed(0)));

        assertThat(warnings).containsExactly("BrokenToySuite: contract tests skipped: parallel consumption (3 tests:"
                + " toy fixture cannot inject Capability.CRASH, toy fixture runs without an MDC"
                + " (TransportFixture.runsWithoutMdc()))");
    }

    /** Runs the given groups of the suite on the correct toy with {@code parameters}. */
    private static EngineExecutionResults run(Map<String, String> parameters, Class<?>... groups) {
        return BrokenToySuite.run("NONE", parameters, Arrays.stream(groups).map(BrokenToySuite::group)
                .toArray(DiscoverySelector[]::new));
    }

    /** The WARN lines of the kit's logger while {@code action} runs. */
    private static List<String> warningsOfTheKit(Runnable action) {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TransportCompatibilityKit.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            action.run();
        } finally {
            logger.detachAppender(appender);
        }
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
        }
    }

    private static int tests(Class<?> group) {
        return (int) Arrays.stream(group.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class)).count();
    }
}
