package io.podswitch.cni;

import io.podswitch.api.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code CNI_*} environment of one invocation, validated for its command. Which variables are
 * required follows the spec's per-command lists: ADD and CHECK need CONTAINERID, NETNS and IFNAME;
 * DEL needs CONTAINERID and IFNAME (the netns may already be gone); STATUS, GC and VERSION need none
 * beyond CNI_COMMAND ({@code CNI_PATH} is accepted but not needed: podswitch delegates to no plugin).
 */
public record CniEnvironment(CniCommand command, String containerId, String netns, String ifName, String args,
        String path) {

    /** Linux IFNAMSIZ (16) minus the terminating NUL. */
    static final int MAX_IFNAME_LENGTH = 15;

    /** Reads and validates CNI_COMMAND only (enough for VERSION and to choose the rest). */
    public static CniCommand command(Map<String, String> env) {
        String text = env.get("CNI_COMMAND");
        if (text == null || text.isEmpty()) {
            throw new CniException(ApiError.INVALID_ENVIRONMENT, "missing CNI_COMMAND",
                    "environment variable CNI_COMMAND must be one of ADD, DEL, CHECK, STATUS, GC, VERSION");
        }
        CniCommand command = CniCommand.parse(text);
        if (command == null) {
            throw new CniException(ApiError.INVALID_ENVIRONMENT, "unknown CNI_COMMAND",
                    "CNI_COMMAND=" + text + " is not one of ADD, DEL, CHECK, STATUS, GC, VERSION");
        }
        return command;
    }

    public static CniEnvironment read(CniCommand command, Map<String, String> env) {
        boolean attachment = command == CniCommand.ADD || command == CniCommand.CHECK || command == CniCommand.DEL;
        List<String> missing = new ArrayList<>();
        String containerId = value(env, "CNI_CONTAINERID");
        String netns = value(env, "CNI_NETNS");
        String ifName = value(env, "CNI_IFNAME");
        if (attachment) {
            if (containerId == null) {
                missing.add("CNI_CONTAINERID");
            }
            if (netns == null && command != CniCommand.DEL) {
                missing.add("CNI_NETNS");
            }
            if (ifName == null) {
                missing.add("CNI_IFNAME");
            }
        }
        if (!missing.isEmpty()) {
            throw new CniException(ApiError.INVALID_ENVIRONMENT, "missing environment variables",
                    "required for " + command + " but missing or empty: " + String.join(", ", missing));
        }
        if (attachment) {
            if (!isValidContainerId(containerId)) {
                throw new CniException(ApiError.INVALID_ENVIRONMENT, "invalid CNI_CONTAINERID",
                        "CNI_CONTAINERID=" + containerId + ": must start with a letter or digit, followed by letters, "
                                + "digits, '_', '.' or '-'");
            }
            String problem = interfaceNameProblem(ifName);
            if (problem != null) {
                throw new CniException(ApiError.INVALID_ENVIRONMENT, "invalid CNI_IFNAME",
                        "CNI_IFNAME=" + ifName + ": " + problem);
            }
            if (netns != null && !netns.startsWith("/")) {
                throw new CniException(ApiError.INVALID_ENVIRONMENT, "invalid CNI_NETNS",
                        "CNI_NETNS=" + netns + ": must be an absolute path to a network namespace");
            }
        }
        return new CniEnvironment(command, containerId, netns, ifName, value(env, "CNI_ARGS"), value(env, "CNI_PATH"));
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The spec's rule: alphanumeric first, then alphanumerics, '_', '.', '-'. Same rule as network names. */
    public static boolean isValidContainerId(String id) {
        if (id == null || id.isEmpty() || !isAlnum(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Why {@code name} cannot be a Linux interface name, or null when it can (as the reference plugins check). */
    static String interfaceNameProblem(String name) {
        if (name.length() > MAX_IFNAME_LENGTH) {
            return "longer than " + MAX_IFNAME_LENGTH + " characters";
        }
        if (name.equals(".") || name.equals("..")) {
            return "must not be '.' or '..'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c <= ' ' || c >= 0x7f) {
                return "must not contain '/', ':', whitespace or non-ASCII characters";
            }
        }
        return null;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
