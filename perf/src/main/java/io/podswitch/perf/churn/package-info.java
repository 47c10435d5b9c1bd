/**
 * The churn soak: pods added and deleted in parallel through the real CNI plugin, with traffic
 * between live pods, while podswitchd is killed with SIGKILL at random moments (and started again) and
 * the plugin itself is killed mid-call — checking throughout that nothing is lost: no address held
 * twice, none leaked after the runtime's DEL, no TAP, netns or file descriptor left behind, every pod
 * whose ADD succeeded reachable, the daemon's memory flat. {@link io.podswitch.perf.churn.ChurnSoak}
 * is the engine; the {@code cni-churn} bench scenario runs it long, a privileged test runs it short.
 */
package io.podswitch.perf.churn;
