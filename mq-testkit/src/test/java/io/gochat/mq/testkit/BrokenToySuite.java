package io.gochat.mq.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.EnumSet;

/**
 * The contract suite against the toy transport with one {@link Fault}, named by the configuration
 * parameter {@value #FAULT_PARAMETER}. Only {@link ContractSuiteSelfTest} runs it (through the
 * JUnit Platform test kit); anywhere else it is skipped. Its name does not match Surefire's
 * patterns, so a build never runs it directly.
 */
@ExtendWith(BrokenToySuite.FaultFromConfiguration.class)
class BrokenToySuite extends TransportCompatibilityKit {
    static final String FAULT_PARAMETER = "mq.testkit.selftest.fault";
    /** Short: the toy answers in microseconds, and tests of a broken behaviour often wait for the full timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Fault fault;

    BrokenToySuite(Fault fault) {
        this.fault = fault;
    }

    @Override
    protected TransportFixture createFixture() {
        return new ToyFixture(EnumSet.of(fault), TIMEOUT);
    }

    /** Supplies the fault to the constructor, and skips the suite when no fault is configured. */
    static final class FaultFromConfiguration implements ParameterResolver, ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(FAULT_PARAMETER).isPresent()
                    ? ConditionEvaluationResult.enabled("fault configured")
                    : ConditionEvaluationResult.disabled("runs only inside ContractSuiteSelfTest");
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Fault.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return Fault.valueOf(context.getConfigurationParameter(FAULT_PARAMETER).orElseThrow());
        }
    }
}
