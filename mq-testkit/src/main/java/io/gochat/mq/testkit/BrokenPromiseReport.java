package io.gochat.mq.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.IncompleteExecutionException;

/**
 * Makes every failure of a contract test start with a sentence naming the promise it broke — the
 * test's {@code @DisplayName} — before the details of what was seen:
 *
 * <pre>
 * Contract: a null key arrives as null — broken.
 * (group "message round trip", TransportCompatibilityKit.RoundTrip.nullKeyArrivesAsNull; see docs/contract.md)
 * expected: null
 *  but was: []
 * </pre>
 *
 * Failures of the test method and of its {@code @BeforeEach}/{@code @AfterEach} methods (the
 * clean-up that finds a hanging {@code close()}) are reported so; the error is rethrown as an
 * {@link AssertionError} (an {@link AssertionFailedError} with the same expected and actual values
 * when the original had them, so IDEs still show the difference) whose cause is the original, and
 * whose stack trace is the original's. A skipped test ({@link IncompleteExecutionException}, such
 * as an assumption's {@code TestAbortedException}) and a {@link VirtualMachineError} pass through
 * untouched. Failures of the whole class ({@code createFixture()}) name no promise and are left
 * as they are.
 *
 * <p>Registered on {@link TransportCompatibilityKit}; its {@code @Nested} groups inherit it.
 * Stateless, so safe for any thread JUnit calls it on.
 */
final class BrokenPromiseReport implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** What every contract failure's first line starts with. */
    static final String PREFIX = "Contract: ";

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw report(context, failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw report(context, failure);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw report(context, failure);
    }

    /** {@code failure} with the broken promise first, or itself when it is not a failure of the contract. */
    static Throwable report(ExtensionContext context, Throwable failure) {
        if (failure instanceof IncompleteExecutionException || failure instanceof VirtualMachineError
                || context.getTestMethod().isEmpty()
                || String.valueOf(failure.getMessage()).startsWith(PREFIX)) {
            return failure;
        }
        String message = PREFIX + context.getDisplayName() + " — broken.\n" + where(context) + "\n" + details(failure);
        AssertionError report = failure instanceof AssertionFailedError original && original.isExpectedDefined()
                && original.isActualDefined()
                ? new AssertionFailedError(message, original.getExpected().getValue(), original.getActual().getValue(),
                        original)
                : new AssertionError(message, failure);
        report.setStackTrace(failure.getStackTrace());
        return report;
    }

    /** The group and the method, so that the promise can be found in the kit and in docs/contract.md. */
    private static String where(ExtensionContext context) {
        Class<?> group = context.getRequiredTestClass();
        String groupName = context.getParent().map(ExtensionContext::getDisplayName).orElse(group.getSimpleName());
        Class<?> outer = group.getEnclosingClass();
        String method = (outer != null ? outer.getSimpleName() + "." : "") + group.getSimpleName() + "."
                + context.getRequiredTestMethod().getName();
        return "(group \"" + groupName + "\", " + method + "; see docs/contract.md)";
    }

    /**
     * What went wrong, without AssertJ's leading blank line; an exception that is not an assertion
     * keeps its class name, since the test did not expect it.
     */
    private static String details(Throwable failure) {
        String text = failure instanceof AssertionError ? failure.getMessage() : failure.toString();
        if (text == null || text.isBlank()) {
            return failure.getClass().getName() + " without a message";
        }
        return text.replaceFirst("^\\s*\\n", "");
    }
}
