package io.podswitch.config.model;

import java.util.Objects;
import java.util.Optional;

/**
 * How podswitchd reaches the Kubernetes API server ({@code kubernetes:} with {@code source: kubernetes}).
 *
 * @param kubeconfig a kubeconfig file to use; empty: the client's auto-configuration ({@code KUBECONFIG},
 *                   {@code ~/.kube/config}, then the in-cluster service account of a pod)
 */
public record KubernetesSettings(Optional<String> kubeconfig) {

    public KubernetesSettings {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
    }

    /** No file named: the client finds its configuration itself. */
    public static KubernetesSettings autoConfigured() {
        return new KubernetesSettings(Optional.empty());
    }
}
