package dev.kiln.http;

import dev.kiln.runtime.config.KilnConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * HTTPS for the API from {@code kiln.http.tls.*}: a PKCS#12 (or {@code .jks}) keystore with its
 * password (setting, environment {@code KILN_HTTP_TLS_KEYSTORE_PASSWORD}, or a file — the
 * password is never logged), or a PEM certificate and key pair (what cert-manager and most
 * Kubernetes TLS secrets hold). Without any of them the server speaks plain HTTP.
 *
 * <p>Threads: called once while the server options are built.
 */
final class HttpTls {
    private static final Logger LOG = LoggerFactory.getLogger(HttpTls.class);

    private HttpTls() { }

    /**
     * Turns on TLS in {@code options} when the config asks for it.
     *
     * @return {@code options}, for chaining
     * @throws IllegalArgumentException naming the setting at fault (never its secret value)
     */
    static HttpServerOptions apply(HttpServerOptions options, KilnConfig config) {
        String keystore = config.get(KilnConfig.HTTP_TLS_KEYSTORE).strip();
        String cert = config.get(KilnConfig.HTTP_TLS_CERT_FILE).strip();
        String key = config.get(KilnConfig.HTTP_TLS_KEY_FILE).strip();
        if (keystore.isEmpty() && cert.isEmpty() && key.isEmpty()) return options;
        if (!keystore.isEmpty() && !(cert.isEmpty() && key.isEmpty())) {
            throw new IllegalArgumentException("set either kiln.http.tls.keystore or kiln.http.tls.cert-file + key-file, not both");
        }
        if (!keystore.isEmpty()) {
            requireFile(keystore, KilnConfig.HTTP_TLS_KEYSTORE.name());
            String type = keystore.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
            options.setSsl(true).setKeyCertOptions(new KeyStoreOptions().setType(type).setPath(keystore).setPassword(password(config)));
            LOG.info("HTTPS with the {} keystore {}", type, keystore);
        } else {
            if (cert.isEmpty() || key.isEmpty()) {
                throw new IllegalArgumentException("kiln.http.tls.cert-file and kiln.http.tls.key-file go together");
            }
            requireFile(cert, KilnConfig.HTTP_TLS_CERT_FILE.name());
            requireFile(key, KilnConfig.HTTP_TLS_KEY_FILE.name());
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
            LOG.info("HTTPS with the PEM certificate {}", cert);
        }
        return options;
    }

    private static String password(KilnConfig config) {
        String p = config.get(KilnConfig.HTTP_TLS_KEYSTORE_PASSWORD);
        String file = config.get(KilnConfig.HTTP_TLS_KEYSTORE_PASSWORD_FILE).strip();
        if (!p.isEmpty()) return p;
        if (file.isEmpty()) return "";
        try {
            String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
        } catch (IOException e) {
            throw new IllegalArgumentException(KilnConfig.HTTP_TLS_KEYSTORE_PASSWORD_FILE.name() + ": cannot read " + file
                    + ": " + e.getMessage(), e);
        }
    }

    private static void requireFile(String path, String setting) {
        if (!Files.isReadable(Path.of(path))) throw new IllegalArgumentException(setting + ": no readable file " + path);
    }
}
