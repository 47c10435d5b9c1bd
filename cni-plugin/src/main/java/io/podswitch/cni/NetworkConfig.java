package io.podswitch.cni;

import io.podswitch.api.ApiError;
import io.podswitch.api.Attachment;
import io.podswitch.api.ResultDns;
import io.podswitch.api.json.JsonShapeException;
import io.podswitch.api.json.JsonValue;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonWriter;
import io.podswitch.api.json.ObjectReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request configuration the runtime wrote on stdin, validated. Keys this plugin reads:
 *
 * <pre>
 *   cniVersion, name, type          required (spec)
 *   socket          string          podswitchd's socket path (default /run/podswitch/podswitchd.sock)
 *   mtu             int 68..65535   MTU of the pod interface (default: the daemon's)
 *   dns             object          copied into the result (nameservers, domain, search, options)
 *   timeoutSeconds  int 1..300      bound on the whole daemon exchange (default 10)
 *   debugLogFile    string          append one line per invocation to this file
 *   capabilities    {name: bool}    declared capabilities ("mac", "ips"); only checked for shape
 *   runtimeConfig   object          capability arguments: "mac" (string), "ips" (list of CIDRs)
 *   args            object          "cni": {"ips": [...], "mac": "..."} (CNI conventions)
 *   prevResult      object          read separately (see {@link PrevResult})
 *   cni.dev/valid-attachments       GC: [{"containerID", "ifname"}]
 *   ipam            object          not supported (podswitchd allocates): error 2 if it names a type
 * </pre>
 *
 * Other keys are kept and forwarded to the daemon untouched, as the spec asks of runtimes.
 */
public record NetworkConfig(CniVersion cniVersion, String name, String type, String socket, int mtu,
        ResultDns dns, int timeoutSeconds, String debugLogFile, Map<String, Boolean> capabilities,
        String runtimeMac, List<String> runtimeIps, JsonObject runtimeConfig, String argsMac, List<String> argsIps,
        List<Attachment> validAttachments, JsonObject forwarded) {

    public static final int DEFAULT_TIMEOUT_SECONDS = 10;
    static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";

    /** Parses everything but {@code cniVersion} (checked before, since its errors have their own code). */
    public static NetworkConfig parse(JsonObject json, CniVersion version) {
        try {
            return parseChecked(json, version);
        } catch (JsonShapeException e) {
            throw new CniException(ApiError.INVALID_NETWORK_CONFIG, "invalid network configuration", e.getMessage());
        }
    }

    private static NetworkConfig parseChecked(JsonObject json, CniVersion version) {
        ObjectReader r = new ObjectReader(json, "");
        String name = r.requiredNonEmptyString("name");
        if (!CniEnvironment.isValidContainerId(name)) {
            throw new JsonShapeException("name", "\"" + name + "\" must start with a letter or digit, followed by "
                    + "letters, digits, '_', '.' or '-'");
        }
        String type = r.requiredNonEmptyString("type");
        if (type.indexOf('/') >= 0 || type.indexOf('\\') >= 0) {
            throw new JsonShapeException("type", "\"" + type + "\" must not contain '/' or '\\'");
        }
        String socket = r.optionalString("socket");
        if (socket != null && !socket.startsWith("/")) {
            throw new JsonShapeException("socket", "\"" + socket + "\" must be an absolute path");
        }
        int mtu = (int) r.optionalLong("mtu", 68, 65535, 0);
        ResultDns dns = ResultDns.fromJson(r.optionalObject("dns"));
        for (String ns : dns.nameservers()) {
            if (!AddressSyntax.isIpv4(ns) && !AddressSyntax.isIpv6(ns)) {
                throw new JsonShapeException("dns.nameservers", "\"" + ns + "\" is not an IP address");
            }
        }
        int timeout = (int) r.optionalLong("timeoutSeconds", 1, 300, DEFAULT_TIMEOUT_SECONDS);
        String debugLog = r.optionalString("debugLogFile");
        if (debugLog != null && !debugLog.startsWith("/")) {
            throw new JsonShapeException("debugLogFile", "\"" + debugLog + "\" must be an absolute path");
        }
        Map<String, Boolean> capabilities = readCapabilities(r.optionalObject("capabilities"));
        checkIpam(r.optionalObject("ipam"));

        ObjectReader runtimeConfig = r.optionalObject("runtimeConfig");
        String runtimeMac = null;
        List<String> runtimeIps = List.of();
        if (runtimeConfig != null) {
            runtimeMac = mac(runtimeConfig, "mac");
            runtimeIps = ips(runtimeConfig, "ips");
        }
        String argsMac = null;
        List<String> argsIps = List.of();
        ObjectReader args = r.optionalObject("args");
        ObjectReader cniArgs = args == null ? null : args.optionalObject("cni");
        if (cniArgs != null) {
            argsMac = mac(cniArgs, "mac");
            argsIps = ips(cniArgs, "ips");
        }
        List<Attachment> valid = null;
        if (r.has(VALID_ATTACHMENTS)) {
            valid = new ArrayList<>();
            for (ObjectReader a : r.optionalObjectList(VALID_ATTACHMENTS)) {
                valid.add(new Attachment(a.requiredNonEmptyString("containerID"), a.requiredNonEmptyString("ifname")));
            }
        }
        Map<String, JsonValue> forwarded = new LinkedHashMap<>(json.members());
        forwarded.remove("prevResult");
        return new NetworkConfig(version, name, type, socket, mtu, dns, timeout, debugLog, capabilities, runtimeMac,
                runtimeIps, runtimeConfig == null ? new JsonObject(Map.of()) : runtimeConfig.object(), argsMac, argsIps,
                valid, new JsonObject(forwarded));
    }

    private static Map<String, Boolean> readCapabilities(ObjectReader caps) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (caps == null) {
            return out;
        }
        for (Map.Entry<String, JsonValue> e : caps.object().members().entrySet()) {
            if (!(e.getValue() instanceof JsonBoolean b)) {
                throw new JsonShapeException(caps.child(e.getKey()), "expected boolean, got " + e.getValue().kindName());
            }
            out.put(e.getKey(), b.value());
        }
        return out;
    }

    /** podswitchd is the IPAM: a delegated IPAM plugin would fight it over the pod's addresses. */
    private static void checkIpam(ObjectReader ipam) {
        if (ipam != null && !ipam.object().members().isEmpty()) {
            throw new CniException(ApiError.UNSUPPORTED_FIELD, "unsupported field \"ipam\"",
                    "\"ipam\": " + JsonWriter.write(ipam.object()) + " — podswitchd allocates addresses from the "
                            + "node's pod CIDRs itself; remove the ipam section (static addresses: runtimeConfig.ips, "
                            + "args.cni.ips or CNI_ARGS IP=)");
        }
    }

    private static String mac(ObjectReader r, String key) {
        String mac = r.optionalString(key);
        if (mac != null && !AddressSyntax.isUnicastMac(mac)) {
            throw new JsonShapeException(r.child(key), "\"" + mac + "\" is not a unicast MAC address (aa:bb:cc:dd:ee:ff)");
        }
        return mac;
    }

    private static List<String> ips(ObjectReader r, String key) {
        List<String> ips = r.optionalStringList(key);
        for (int i = 0; i < ips.size(); i++) {
            if (!AddressSyntax.isIpOrCidr(ips.get(i))) {
                throw new JsonShapeException(r.child(key) + "[" + i + "]", "\"" + ips.get(i) + "\" is not an IP address");
            }
        }
        return ips;
    }
}
