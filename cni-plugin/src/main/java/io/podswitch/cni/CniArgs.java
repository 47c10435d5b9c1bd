package io.podswitch.cni;

import io.podswitch.api.ApiError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code CNI_ARGS}: {@code KEY=VALUE} pairs separated by ';'. As in the reference plugins, a key this
 * plugin does not know is an error unless {@code IgnoreUnknown} is true (1/true), because a silently
 * ignored {@code IP=} would give the pod an address it did not ask for.
 *
 * <p>Known keys: {@code IP} (comma-separated static addresses), {@code MAC}, {@code IgnoreUnknown} and
 * the Kubernetes identity keys, which are passed to the daemon for naming and logs.
 */
public record CniArgs(List<String> ips, String mac, Map<String, String> identity) {
    private static final Set<String> IDENTITY_KEYS = Set.of("K8S_POD_NAMESPACE", "K8S_POD_NAME",
            "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID");

    public static final CniArgs NONE = new CniArgs(List.of(), null, Map.of());

    public static CniArgs parse(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : text.split(";", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || pair.indexOf('=', eq + 1) >= 0) {
                throw invalid("invalid pair \"" + pair + "\" (expected KEY=VALUE)");
            }
            String key = pair.substring(0, eq);
            if (pairs.containsKey(key)) {
                throw invalid("key " + key + " given twice");
            }
            pairs.put(key, pair.substring(eq + 1));
        }
        boolean ignoreUnknown = parseBool(pairs.get("IgnoreUnknown"));
        List<String> ips = new ArrayList<>();
        String mac = null;
        Map<String, String> identity = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (key.equals("IgnoreUnknown")) {
                continue;
            } else if (key.equals("IP")) {
                for (String ip : value.split(",", -1)) {
                    String trimmed = ip.strip();
                    if (!AddressSyntax.isIpOrCidr(trimmed)) {
                        throw invalid("IP=" + value + ": \"" + trimmed + "\" is not an IP address");
                    }
                    ips.add(trimmed);
                }
            } else if (key.equals("MAC")) {
                if (!AddressSyntax.isUnicastMac(value)) {
                    throw invalid("MAC=" + value + " is not a unicast MAC address (aa:bb:cc:dd:ee:ff)");
                }
                mac = value;
            } else if (IDENTITY_KEYS.contains(key)) {
                identity.put(key, value);
            } else if (!ignoreUnknown) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw invalid("unknown key(s) " + String.join(", ", unknown) + " (set IgnoreUnknown=1 to ignore them)");
        }
        return new CniArgs(List.copyOf(ips), mac, identity);
    }

    private static boolean parseBool(String v) {
        if (v == null) {
            return false;
        }
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("1") || lower.equals("true")) {
            return true;
        }
        if (lower.equals("0") || lower.equals("false")) {
            return false;
        }
        throw invalid("IgnoreUnknown=" + v + " is not a boolean (1, 0, true, false)");
    }

    private static CniException invalid(String details) {
        return new CniException(ApiError.INVALID_ENVIRONMENT, "invalid CNI_ARGS", "CNI_ARGS: " + details);
    }
}
