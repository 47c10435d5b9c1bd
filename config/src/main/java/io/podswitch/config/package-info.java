/**
 * podswitch cluster network configuration. Entry point: {@link io.podswitch.config.ConfigLoader}, which reads
 * a YAML file into an immutable {@link io.podswitch.config.model.ClusterConfig} or throws a
 * {@link io.podswitch.config.ConfigException} listing every problem with file, line, column and field path.
 * Sub-packages: {@code cidr} (address and prefix values, shared with the switch), {@code model} (the loaded
 * configuration), {@code load} (YAML to located values), {@code validate} (rules), {@code allocate} (node pod
 * CIDR allocation), {@code cli} ({@code podswitch config validate|show}).
 */
package io.podswitch.config;
