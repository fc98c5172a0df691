package org.splitpoint.engine.nbd;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import org.splitpoint.engine.io.BlockDevice;

/**
 * A fresh NBD server in a process of its own, for running it out of file descriptors
 * ({@link NbdLifecycleTest}). It prints "PORT n", then "LOG line" for what the server logs; on
 * stdin, "hoard N" opens files until none can be opened and then closes N of them (so N
 * descriptors are left), "release" closes them all; end of input stops it.
 */
public final class NbdChildServer {

    private NbdChildServer() {
    }

    public static void main(String[] args) throws Exception {
        BlockDevice mem = new MemoryDevice(1 << 20);
        Export export = new Export("mem", mem, false, "memory");
        ExportCatalog catalog = new ExportCatalog() {
            @Override
            public List<Export> list() {
                return List.of(export);
            }

            @Override
            public Export find(String name) {
                return name.equals("mem") ? export : null;
            }
        };
        List<FileInputStream> hoard = new ArrayList<>();
        try (NbdServer server = NbdServer.tcp("127.0.0.1", 0, catalog, m -> System.out.println("LOG " + m))) {
            System.out.println("PORT " + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("hoard ")) {
                    try {
                        while (true) {
                            hoard.add(new FileInputStream("/dev/null"));
                        }
                    } catch (IOException full) {
                        for (int free = Integer.parseInt(line.substring(6)); free > 0 && !hoard.isEmpty(); free--) {
                            hoard.remove(hoard.size() - 1).close();
                        }
                    }
                    System.out.println("HOARDED " + hoard.size());
                } else if (line.equals("release")) {
                    for (FileInputStream f : hoard) {
                        f.close();
                    }
                    hoard.clear();
                    System.out.println("RELEASED");
                }
            }
        }
    }
}
