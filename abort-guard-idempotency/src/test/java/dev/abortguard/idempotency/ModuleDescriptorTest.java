package dev.abortguard.idempotency;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module resolves on the module path, is a real module and exports only its API; Lettuce
 * (the Redis store's client) and the servlet API (the filter's, provided by the container) are not
 * needed to resolve it. The tests run on the class path, so this
 * resolves this build's own class path entries as modules.
 */
class ModuleDescriptorTest {

    @Test
    void exportsOnlyTheApiAndResolvesWithoutLettuce() {
        Configuration configuration = resolve();
        ModuleDescriptor descriptor = configuration.findModule("dev.abortguard.idempotency").orElseThrow()
                .reference().descriptor();

        assertThat(descriptor.isAutomatic()).isFalse();
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("dev.abortguard.idempotency", "dev.abortguard.idempotency.servlet");
        assertThat(configuration.modules().stream().map(ResolvedModule::name).collect(Collectors.toSet()))
                .contains("org.slf4j") // java.sql is in the boot layer, the parent of this configuration
                .doesNotContain("lettuce.core", "jakarta.servlet"); // the filter's servlet API is the container's
    }

    private static Configuration resolve() {
        Path[] mainArtifacts = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(Files::exists)
                .filter(p -> !p.toString().contains("test-classes") && !p.toString().endsWith("-tests.jar"))
                .toArray(Path[]::new);
        return ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(mainArtifacts), ModuleFinder.of(), Set.of("dev.abortguard.idempotency"));
    }
}
