package io.podswitch.perf.churn;

/**
 * Where a plugin call was when podswitchd was killed, judged from what it left on disk and whether the
 * plugin got its answer. ADD writes the IPAM state, wires the pod, writes the pod record, answers;
 * DEL unwires, removes the record, releases the addresses, answers.
 */
enum CrashPhase {
    ADD_BEFORE_IPAM_WRITE("ADD, before the IPAM write (incl. the plugin's JVM start)"),
    ADD_BETWEEN_IPAM_WRITE_AND_RECORD("ADD, between the IPAM write and the pod record"),
    ADD_BETWEEN_RECORD_AND_ANSWER("ADD, between the pod record and the answer"),
    ADD_AFTER_ANSWER("ADD, after the answer (the plugin was printing it)"),
    DEL_BEFORE_RECORD_REMOVAL("DEL, before the record removal"),
    DEL_BETWEEN_RECORD_AND_RELEASE("DEL, between the record removal and the address release"),
    DEL_AFTER_RELEASE("DEL, after the release (before or after the answer)");

    final String description;

    CrashPhase(String description) {
        this.description = description;
    }

    /** Classifies a call that was running when the daemon died; {@code answered}: the plugin exited 0. */
    static CrashPhase of(String command, boolean answered, DiskState disk, String containerId) {
        boolean allocated = disk.allocated().contains(containerId);
        boolean recorded = disk.recorded().contains(containerId);
        if (command.equals("ADD")) {
            if (answered) {
                return ADD_AFTER_ANSWER;
            }
            if (recorded) {
                return ADD_BETWEEN_RECORD_AND_ANSWER;
            }
            return allocated ? ADD_BETWEEN_IPAM_WRITE_AND_RECORD : ADD_BEFORE_IPAM_WRITE;
        }
        if (recorded) {
            return DEL_BEFORE_RECORD_REMOVAL;
        }
        return allocated ? DEL_BETWEEN_RECORD_AND_RELEASE : DEL_AFTER_RELEASE;
    }
}
