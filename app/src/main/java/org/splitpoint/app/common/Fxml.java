package org.splitpoint.app.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;

/** Loads {@code fxml/<View>.fxml} into a view that is both its {@code fx:root} and its controller. */
public final class Fxml {

    private Fxml() {
    }

    public static void load(Object view, String name) {
        URL url = resource(name + ".fxml");
        FXMLLoader loader = new FXMLLoader(url);
        loader.setRoot(view);
        loader.setController(view);
        try {
            loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + url, e);
        }
    }

    /** A file under the packaged {@code fxml/} folder (FXML, CSS). */
    public static URL resource(String file) {
        URL url = Fxml.class.getResource("/fxml/" + file);
        if (url == null) {
            throw new IllegalStateException("missing resource fxml/" + file);
        }
        return url;
    }
}
