package org.splitpoint.engine.pool;

/**
 * Why an operation is not allowed now, as the one sentence an administrator reads — the CLI's
 * error and the app's disabled-button tooltip alike. The rule classes ({@link PairRules}) return
 * one, or null when the operation is allowed; the operations throw {@link #exception()} before
 * acting, so what a tooltip says is exactly what the engine would answer.
 */
public record Refusal(String sentence) {

    /** The refusal as the engine throws it. */
    public PoolException exception() {
        return new PoolException(sentence);
    }

    /** Throws the refusal, if there is one. */
    public static void check(Refusal r) throws PoolException {
        if (r != null) {
            throw r.exception();
        }
    }

    /** The sentence, or "" when allowed (null), for a binding that reads "empty = allowed". */
    public static String sentenceOf(Refusal r) {
        return r == null ? "" : r.sentence();
    }
}
