package io.podswitch.daemon.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podswitch.config.model.KubernetesSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The API client podswitchd uses, configured the way users expect: {@code podswitchd --kubeconfig FILE},
 * else the cluster file's {@code kubernetes.kubeconfig}, else fabric8's auto-configuration — {@code KUBECONFIG},
 * {@code ~/.kube/config}, and in a pod the in-cluster service account (token, CA, {@code KUBERNETES_SERVICE_HOST}).
 * The transport is the JDK's own HttpClient ({@code kubernetes-httpclient-jdk}).
 */
public final class KubernetesClients {
    private KubernetesClients() {
    }

    /**
     * @param override {@code --kubeconfig}, if given
     * @throws IllegalArgumentException when a named kubeconfig does not exist (the message names it)
     */
    public static KubernetesClient open(KubernetesSettings settings, Optional<Path> override) {
        Optional<Path> file = override.or(() -> settings.kubeconfig().map(Path::of));
        Config config;
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException("kubeconfig " + path + " does not exist or is not readable");
            }
            config = Config.fromKubeconfig(path.toFile());
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Where the client was configured from, for the log (never a credential). */
    public static String describe(KubernetesSettings settings, Optional<Path> override, KubernetesClient client) {
        String from = override.map(p -> "--kubeconfig " + p)
                .or(() -> settings.kubeconfig().map(k -> "kubernetes.kubeconfig " + k))
                .orElse("auto-configuration (KUBECONFIG, ~/.kube/config or the pod's service account)");
        return client.getMasterUrl() + " from " + from;
    }
}
