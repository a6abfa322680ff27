package io.gochat.mq.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

/**
 * The contract suite against the toy transport as the configuration parameters say: with the
 * {@link Fault} named by {@value #FAULT_PARAMETER} ({@code NONE} for none), the capabilities
 * listed in {@value #CAPABILITIES_PARAMETER} (default all), and, with {@value #NO_OP_MDC_PARAMETER}
 * {@code =true}, as if the MDC were a no-op ({@value #RUNS_WITHOUT_MDC_PARAMETER} {@code =true}:
 * and the fixture says so). Only the kit's own tests run it (through the JUnit Platform test kit);
 * anywhere else it is skipped. Its name does not match Surefire's patterns, so a build never runs
 * it directly.
 */
@ExtendWith(BrokenToySuite.FromConfiguration.class)
class BrokenToySuite extends TransportCompatibilityKit {
    static final String FAULT_PARAMETER = "mq.testkit.selftest.fault";
    static final String CAPABILITIES_PARAMETER = "mq.testkit.selftest.capabilities";
    static final String NO_OP_MDC_PARAMETER = "mq.testkit.selftest.noOpMdc";
    static final String RUNS_WITHOUT_MDC_PARAMETER = "mq.testkit.selftest.runsWithoutMdc";
    /** Short: the toy answers in microseconds, and tests of a broken behaviour often wait for the full timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Settings settings;

    /** What the configuration parameters ask for. */
    record Settings(Set<Fault> faults, Set<Capability> capabilities, boolean noOpMdc, boolean runsWithoutMdc) {
    }

    /**
     * Runs the {@code selected} groups or tests of this suite with {@code fault} ({@code "NONE"} for
     * none) and the other configuration {@code parameters}, through the JUnit Platform test kit.
     */
    static EngineExecutionResults run(String fault, Map<String, String> parameters, DiscoverySelector... selected) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selected)
                .configurationParameter(FAULT_PARAMETER, fault)
                .configurationParameters(parameters)
                .execute();
    }

    /** Selects the contract group {@code group} (a {@code @Nested} class of the kit) of this suite. */
    static DiscoverySelector group(Class<?> group) {
        return selectNestedClass(List.of(BrokenToySuite.class), group);
    }

    /** Selects the contract test {@code method} of {@code group} of this suite. */
    static DiscoverySelector test(Class<?> group, String method) {
        return selectNestedMethod(List.of(BrokenToySuite.class), group, method);
    }

    BrokenToySuite(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected TransportFixture createFixture() {
        return new ToyFixture(settings.faults(), TIMEOUT, settings.capabilities(), settings.runsWithoutMdc());
    }

    @Override
    boolean mdcWorks() {
        return !settings.noOpMdc() && super.mdcWorks();
    }

    /** Supplies the settings to the constructor, and skips the suite when no fault is configured. */
    static final class FromConfiguration implements ParameterResolver, ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(FAULT_PARAMETER).isPresent()
                    ? ConditionEvaluationResult.enabled("fault configured")
                    : ConditionEvaluationResult.disabled("runs only inside the kit's own tests");
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Settings.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            String fault = context.getConfigurationParameter(FAULT_PARAMETER).orElseThrow();
            Set<Capability> capabilities = context.getConfigurationParameter(CAPABILITIES_PARAMETER)
                    .map(list -> {
                        Set<Capability> set = EnumSet.noneOf(Capability.class);
                        Arrays.stream(list.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                                .map(Capability::valueOf).forEach(set::add);
                        return set;
                    })
                    .orElse(EnumSet.allOf(Capability.class));
            return new Settings(
                    "NONE".equals(fault) ? EnumSet.noneOf(Fault.class) : EnumSet.of(Fault.valueOf(fault)),
                    capabilities,
                    context.getConfigurationParameter(NO_OP_MDC_PARAMETER, Boolean::parseBoolean).orElse(false),
                    context.getConfigurationParameter(RUNS_WITHOUT_MDC_PARAMETER, Boolean::parseBoolean).orElse(false));
        }
    }
}
