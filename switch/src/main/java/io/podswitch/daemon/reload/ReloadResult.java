package io.podswitch.daemon.reload;

import java.util.List;

/**
 * The outcome of one reload: applied (with a summary of the peer changes), or refused with the reasons
 * ({@code file:line:col: field: message} for an invalid file, one line for a change that needs a restart).
 * Either way the running configuration stays consistent: a refused reload changed nothing.
 */
public record ReloadResult(boolean applied, String summary, List<String> errors) {
    public ReloadResult {
        errors = List.copyOf(errors);
    }

    static ReloadResult applied(String summary) {
        return new ReloadResult(true, summary, List.of());
    }

    static ReloadResult refused(String summary, List<String> errors) {
        return new ReloadResult(false, summary, errors);
    }
}
