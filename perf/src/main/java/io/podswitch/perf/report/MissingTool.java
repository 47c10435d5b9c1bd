package io.podswitch.perf.report;

/** A baseline tool that was not found, which scenario wanted it and how to install it. */
public record MissingTool(String tool, String neededBy, String installHint) {
}
