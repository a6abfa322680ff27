package io.gochat.mq.coord;

/**
 * Consul could not give an answer about a key: not reachable, too slow, refused the token, or
 * failed. (A missing key is an answer, not this.) The message says which and never contains the
 * token.
 */
final class ConsulUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why there was no answer; each is reported differently. */
    enum Reason {
        /** Nothing listens at the address, or the host is unknown. */
        UNREACHABLE("unreachable"),
        /** No connection or no answer within the timeout. */
        TIMED_OUT("timed out"),
        /** 401/403: the ACL token is missing or refused. */
        FORBIDDEN("refused access"),
        /** A 5xx status, e.g. no cluster leader. */
        SERVER_ERROR("failed"),
        /** An answer that is not Consul's KV format, or an unexpected status. */
        BAD_ANSWER("gave an unusable answer");

        final String verb;

        Reason(String verb) {
            this.verb = verb;
        }
    }

    private final Reason reason;

    ConsulUnavailableException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }

    /** The detail, e.g. {@code connection refused} or {@code HTTP 500 Internal Server Error}. */
    String detail() {
        return getMessage();
    }
}
