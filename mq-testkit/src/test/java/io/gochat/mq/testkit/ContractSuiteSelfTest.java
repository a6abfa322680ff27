package io.gochat.mq.testkit;

import io.gochat.mq.testkit.TransportCompatibilityKit.Admin;
import io.gochat.mq.testkit.TransportCompatibilityKit.BadInput;
import io.gochat.mq.testkit.TransportCompatibilityKit.BrokerRestart;
import io.gochat.mq.testkit.TransportCompatibilityKit.ConsumerClose;
import io.gochat.mq.testkit.TransportCompatibilityKit.ConsumerGroups;
import io.gochat.mq.testkit.TransportCompatibilityKit.Crash;
import io.gochat.mq.testkit.TransportCompatibilityKit.FailingCallbacks;
import io.gochat.mq.testkit.TransportCompatibilityKit.KeyOrdering;
import io.gochat.mq.testkit.TransportCompatibilityKit.OffsetReset;
import io.gochat.mq.testkit.TransportCompatibilityKit.ProducerClose;
import io.gochat.mq.testkit.TransportCompatibilityKit.Rebalance;
import io.gochat.mq.testkit.TransportCompatibilityKit.RoundTrip;
import io.gochat.mq.testkit.TransportCompatibilityKit.Sending;
import io.gochat.mq.testkit.TransportCompatibilityKit.Stress;
import io.gochat.mq.testkit.TransportCompatibilityKit.TraceId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

/**
 * Proof that each contract test fails when the behaviour it names is broken: the suite runs
 * against the toy transport with one {@link Fault} at a time, and the tests that name that
 * behaviour must be among the failures. (That the same suite passes on the correct toy is
 * {@link ToyCompatibilityTest}.)
 */
class ContractSuiteSelfTest {
    private static final Logger LOG = LoggerFactory.getLogger(ContractSuiteSelfTest.class);

    /** A fault, the groups of the suite to run against it, and the tests that must fail. */
    private record Case(Fault fault, List<Class<?>> groups, Set<String> mustFail) {
        static Case of(Fault fault, List<Class<?>> groups, String... mustFail) {
            return new Case(fault, groups, Set.of(mustFail));
        }
    }

    private static final List<Case> CASES = List.of(
            Case.of(Fault.DROP_EVERY_100TH, List.of(ConsumerGroups.class, ProducerClose.class, Stress.class),
                    "oneGroupSharesTheWork", "closeFlushes", "manyProducersManyMembers"),
            Case.of(Fault.DUPLICATE_EVERY_50TH, List.of(ConsumerGroups.class, KeyOrdering.class, Stress.class),
                    "oneGroupSharesTheWork", "perKeyOrderInAGroup", "manyProducersManyMembers"),
            Case.of(Fault.REORDER, List.of(KeyOrdering.class, Sending.class, Stress.class),
                    "perKeyOrderInAGroup", "mixedAsyncAndSyncKeepOrder", "manyProducersManyMembers"),
            Case.of(Fault.IGNORE_KEY, List.of(KeyOrdering.class),
                    "perKeyOrderInAGroup", "keysLandWhereKafkaPutsThem"),
            Case.of(Fault.WRONG_HASH, List.of(KeyOrdering.class),
                    "keysLandWhereKafkaPutsThem"),
            Case.of(Fault.BROADCAST, List.of(ConsumerGroups.class),
                    "oneGroupSharesTheWork"),
            Case.of(Fault.COMMIT_BEFORE_PROCESSING, List.of(Crash.class),
                    "crashBeforeCommitRedelivers"),
            Case.of(Fault.NO_COMMIT_ON_CLOSE, List.of(ConsumerClose.class),
                    "cleanHandOff", "closeWaitsForTheMessageInHand"),
            Case.of(Fault.NO_COMMIT_ON_REVOKE, List.of(Rebalance.class),
                    "joinTakesOverWithoutRepeats"),
            Case.of(Fault.CRASH_COMMITS, List.of(Crash.class),
                    "crashBeforeCommitRedelivers"),
            Case.of(Fault.STOP_ON_CALLBACK_ERROR, List.of(FailingCallbacks.class),
                    "throwingCallbackIsSkippedNotRetried"),
            Case.of(Fault.RETRY_FAILED_CALLBACK, List.of(FailingCallbacks.class),
                    "throwingCallbackIsSkippedNotRetried"),
            Case.of(Fault.NO_ERROR_LOG, List.of(FailingCallbacks.class),
                    "callbackFailureIsLoggedWithPosition"),
            Case.of(Fault.NO_TRACE, List.of(TraceId.class),
                    "mdcBecomesHeader", "headerBecomesMdcDuringTheCallback"),
            Case.of(Fault.SEND_AFTER_CLOSE_SUCCEEDS, List.of(ProducerClose.class),
                    "sendAfterCloseFailsThroughCallback", "sendSyncAfterCloseThrows", "closeWithConcurrentSenders",
                    "closeTwice"),
            Case.of(Fault.CALLBACK_TWICE, List.of(Sending.class, ProducerClose.class),
                    "sendCallsBackExactlyOnce", "closeWithConcurrentSenders"),
            // closeWithConcurrentSenders catches it only when close() finds the toy's 64-message buffer
            // non-empty, which depends on timing; closeFlushes catches it always
            Case.of(Fault.CLOSE_DROPS_BUFFER, List.of(ProducerClose.class),
                    "closeFlushes"),
            Case.of(Fault.IGNORE_LATEST, List.of(OffsetReset.class),
                    "latestSkipsHistory"),
            Case.of(Fault.IGNORE_COMMITTED, List.of(OffsetReset.class, ConsumerClose.class),
                    "latestDoesNotSkipCommitted", "cleanHandOff"),
            Case.of(Fault.LOSE_WHILE_DOWN, List.of(BrokerRestart.class),
                    "restartLosesNothingAcknowledged"),
            Case.of(Fault.CLOSE_INSIDE_DEADLOCKS, List.of(ConsumerClose.class),
                    "closeFromInsideTheCallback", "cleanHandOff"),
            Case.of(Fault.INTERRUPT_COUNTS_AS_PROCESSED, List.of(ConsumerClose.class),
                    "interruptDuringCallback"),
            Case.of(Fault.SUBSCRIBE_ANY_TIME, List.of(ConsumerClose.class),
                    "subscribeTwice", "subscribeAfterClose", "subscribeAfterSubscribeEnded"),
            Case.of(Fault.EMPTY_AS_NULL, List.of(RoundTrip.class),
                    "bytesArriveExactly", "emptyIsNotNull"),
            Case.of(Fault.NO_ARGUMENT_CHECKS, List.of(BadInput.class, Admin.class),
                    "sendNullCallback"));

    @TestFactory
    @DisplayName("each fault makes the contract tests that name it fail")
    Stream<DynamicTest> eachFaultIsCaught() {
        assertThat(CASES.stream().map(Case::fault).collect(Collectors.toSet()))
                .as("every fault has a case").containsExactlyInAnyOrder(Fault.values());
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "self-test");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<Set<String>>> runs = new ArrayList<>();
        for (Case c : CASES) {
            runs.add(CompletableFuture.supplyAsync(() -> failedTests(c), pool));
        }
        pool.shutdown();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            CompletableFuture<Set<String>> run = runs.get(i);
            tests.add(DynamicTest.dynamicTest("the suite catches " + c.fault(), () ->
                    assertThat(run.join()).as("failed contract tests with %s", c.fault()).containsAll(c.mustFail())));
        }
        return tests.stream();
    }

    private static Set<String> failedTests(Case c) {
        DiscoverySelector[] selectors = c.groups().stream()
                .map(group -> selectNestedClass(List.of(BrokenToySuite.class), group))
                .toArray(DiscoverySelector[]::new);
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectors)
                .configurationParameter(BrokenToySuite.FAULT_PARAMETER, c.fault().name())
                .execute();
        assertThat(results.testEvents().started().count()).as("tests run with %s", c.fault()).isPositive();
        results.testEvents().failed().stream().forEach(event -> LOG.atInfo()
                .setMessage("contract test failed as it should")
                .addKeyValue("fault", c.fault())
                .addKeyValue("test", event.getTestDescriptor().getDisplayName())
                .addKeyValue("reason", event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(e -> String.valueOf(e.getMessage()).lines().limit(3).collect(Collectors.joining(" | ")))
                        .orElse("?"))
                .log());
        return results.testEvents().failed().stream()
                .map(event -> event.getTestDescriptor())
                .map(TestDescriptor::getSource)
                .flatMap(source -> source.stream())
                .filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getMethodName())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
