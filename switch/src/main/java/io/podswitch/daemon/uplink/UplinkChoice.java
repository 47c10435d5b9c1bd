package io.podswitch.daemon.uplink;

import io.podswitch.config.model.UplinkAttach;

/**
 * How this node's uplink is attached and why, decided once at start ({@link AutoAttach#choose}): what
 * the file asked for ({@code configured}, {@code auto} by default), what runs ({@code attach}, never
 * {@code auto}) and the reason in words. The start-up log line and {@code podswitch peers} print it.
 */
public record UplinkChoice(UplinkAttach configured, UplinkAttach attach, String reason) {
    public UplinkChoice {
        if (attach == UplinkAttach.AUTO) {
            throw new IllegalArgumentException("auto is resolved before an uplink opens");
        }
    }

    /** E.g. {@code tap (auto: this kernel's TAP takes the UDP tunnel offloads)} or {@code udp (configured)}. */
    public String describe() {
        return describe(attach.configName(), configured.configName(), reason);
    }

    /** {@link #describe()} from the names {@code GET /v1/peers} gives (the CLI's side). */
    public static String describe(String attach, String configured, String reason) {
        return attach + " (" + (configured.equals(UplinkAttach.AUTO.configName()) ? "auto: " : "") + reason + ")";
    }
}
