package org.resmap.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.SVGUtils;
import org.resmap.AddressSpace;
import org.resmap.AddressSpace.Frame;
import org.resmap.AddressSpace.Pte;
import org.resmap.AddressSpace.PteKind;

/**
 * A picture of a simulated machine's system address space: its reservations (two header PTEs, then
 * the reserved pages, mapped or empty), ordinary mappings and free PTEs, and the frames behind every
 * mapped page with the page set (MDL) or user buffer that holds them, so that two pages showing one
 * frame are visible at a glance. Three forms of one {@link Model}: JSON (the model itself), a compact
 * text for terminals, and SVG drawn with JFreeSVG, in which every PTE that maps a frame is one
 * rectangle whose id is {@code s<snapshot>-mapped-pte-<index>}.
 */
final class Picture {

    // Beyond this many PTEs, cells are drawn small and unlabelled, many to a row.
    private static final int LABELLED_PTES = 48;
    private static final int BIG_CELL = 34;
    private static final int SMALL_CELL = 7;
    private static final int SMALL_PER_ROW = 128;
    private static final int MARGIN = 20;
    // Wide enough for the legend.
    private static final int MIN_WIDTH = 900;
    private static final int LINE = 16;
    // Free PTEs shown after the last one in use, so the picture shows where free space begins.
    private static final int FREE_TAIL = 2;

    private static final Color HEADER = new Color(0x9E9E9E);
    private static final Color EMPTY = Color.WHITE;
    private static final Color FREE = new Color(0xF2F2F2);
    private static final Color INK = new Color(0x212121);
    private static final Color[] HOLDER_COLOURS = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0x59A14F),
        new Color(0xB07AA1), new Color(0xE15759), new Color(0x76B7B2), new Color(0xEDC948), new Color(0x9C755F)};

    private Picture() {
    }

    /**
     * The address space as a plain tree, which is also its JSON form.
     *
     * @param ptesTotal system PTEs in the pool
     * @param ptesShown PTEs 0 to ptesShown - 1 are described (the rest are free)
     * @param ptes those PTEs
     * @param frames the frames behind the mapped ones, with who holds them
     */
    record Model(int ptesTotal, int ptesShown, List<PteEntry> ptes, List<FrameEntry> frames) {
        /** @return how many shown PTEs map a frame */
        long mappedPtes() {
            return ptes.stream().filter(p -> p.frame() != null).count();
        }
    }

    /**
     * One system PTE.
     *
     * @param index its number
     * @param address {@code sysva+0x...}, as the trace writes it
     * @param kind free, header, reserved or ordinary
     * @param owner header/reserved: the address of its reservation; ordinary: of its mapping; free: absent
     * @param tag header/reserved: the reservation's tag, as pool tools spell it
     * @param frame the frame it maps, if any
     */
    record PteEntry(int index, String address, String kind, String owner, String tag, Long frame) {
    }

    /**
     * A frame behind a mapped page.
     *
     * @param number its frame number
     * @param holder {@code mdl#N} (pages the driver allocated) or {@code user memory}
     * @param page its page in that MDL, or in user memory
     * @param maps PTEs mapping it now
     * @param locks MmProbeAndLockPages references
     */
    record FrameEntry(long number, String holder, long page, int maps, int locks) {
    }

    /** A moment to draw, with a title. */
    record Snapshot(String title, AddressSpace space) {
    }

    static Model model(AddressSpace space) {
        int shown = Math.min(space.ptes().size(), space.lastUsedPte() + 1 + FREE_TAIL);
        Map<Long, Frame> frames = space.framesByNumber();
        List<PteEntry> ptes = new ArrayList<>();
        Map<Long, FrameEntry> behind = new LinkedHashMap<>();
        for (Pte pte : space.ptes().subList(0, shown)) {
            Long frame = pte.frame().isPresent() ? pte.frame().getAsLong() : null;
            ptes.add(new PteEntry(pte.index(), address(pte.index(), space.pageSize()), kind(pte.kind()),
                    pte.kind() == PteKind.FREE ? null : address((int) pte.owner(), space.pageSize()),
                    pte.kind() == PteKind.HEADER || pte.kind() == PteKind.RESERVED ? pte.tag().toString() : null,
                    frame));
            if (frame != null && frames.containsKey(frame)) {
                behind.computeIfAbsent(frame, n -> frameEntry(frames.get(n)));
            }
        }
        List<FrameEntry> sorted = new ArrayList<>(behind.values());
        sorted.sort((a, b) -> a.holder().equals(b.holder()) ? Long.compare(a.page(), b.page())
                : a.holder().compareTo(b.holder()));
        return new Model(space.ptes().size(), shown, ptes, sorted);
    }

    private static FrameEntry frameEntry(Frame f) {
        String holder = f.use() == AddressSpace.FrameUse.USER ? "user memory" : "mdl#" + f.mdl();
        return new FrameEntry(f.number(), holder, f.page(), f.maps(), f.locks());
    }

    private static String kind(PteKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String address(int pte, int pageSize) {
        return String.format("sysva+0x%X", (long) pte * pageSize);
    }

    // ---------------------------------------------------------------- text

    /**
     * @return a few lines for a terminal: one per reservation and ordinary mapping, a letter per frame
     *     (the same letter twice is the same memory seen twice), then what each letter is
     */
    static String text(AddressSpace space, int width) {
        Model model = model(space);
        StringBuilder text = new StringBuilder();
        Map<Long, Character> letters = new LinkedHashMap<>();
        for (FrameEntry frame : model.frames()) {
            letters.put(frame.number(), letters.size() < 26 ? (char) ('a' + letters.size()) : '*');
        }
        text.append(String.format("   address space: PTEs 0-%d of %d (H header, . reserved and empty, letters: frames)%n",
                model.ptesShown() - 1, model.ptesTotal()));
        List<List<PteEntry>> runs = runs(model.ptes());
        int ordinary = 0;
        long ordinaryPages = 0;
        for (List<PteEntry> run : runs) {
            PteEntry first = run.get(0);
            if (first.kind().equals("free")) {
                continue;
            }
            if (first.kind().equals("ordinary") && runs.size() > 12) {
                ordinary++;
                ordinaryPages += run.size();
                continue;
            }
            StringBuilder cells = new StringBuilder();
            for (PteEntry pte : run) {
                cells.append(pte.kind().equals("header") ? 'H' : pte.frame() == null ? '.' : letters.get(pte.frame()));
            }
            String what = first.kind().equals("ordinary") ? "ordinary mapping " + first.owner()
                    : "reservation " + first.owner() + " '" + first.tag() + "'";
            String cellText = cells.length() > width / 2 ? cells.substring(0, width / 2) + "..." : cells.toString();
            text.append(String.format("     %-40s [%s]%n", what, cellText));
        }
        if (ordinary > 0) {
            text.append(String.format("     %d ordinary mappings, %d PTEs%n", ordinary, ordinaryPages));
        }
        List<String> legend = new ArrayList<>();
        for (FrameEntry frame : model.frames()) {
            if (letters.get(frame.number()) != '*') {
                legend.add(letters.get(frame.number()) + "=frame " + frame.number() + " (" + frame.holder() + " page "
                        + frame.page() + (frame.maps() > 1 ? ", mapped " + frame.maps() + " times" : "") + ")");
            }
        }
        if (!legend.isEmpty()) {
            for (String line : Table.wrap(String.join("; ", legend), Math.max(30, width - 8))) {
                text.append("     ").append(line).append(System.lineSeparator());
            }
        }
        return text.toString();
    }

    /** @return the PTEs cut into runs that belong to one reservation (headers included), mapping or free stretch */
    private static List<List<PteEntry>> runs(List<PteEntry> ptes) {
        List<List<PteEntry>> runs = new ArrayList<>();
        List<PteEntry> run = new ArrayList<>();
        for (PteEntry pte : ptes) {
            if (!run.isEmpty() && !sameRun(run.get(run.size() - 1), pte)) {
                runs.add(run);
                run = new ArrayList<>();
            }
            run.add(pte);
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    private static boolean sameRun(PteEntry a, PteEntry b) {
        boolean aReservation = a.kind().equals("header") || a.kind().equals("reserved");
        boolean bReservation = b.kind().equals("header") || b.kind().equals("reserved");
        if (aReservation && bReservation) {
            return a.owner().equals(b.owner());
        }
        return a.kind().equals(b.kind()) && java.util.Objects.equals(a.owner(), b.owner());
    }

    // ---------------------------------------------------------------- SVG

    /** Draws the snapshots one below the other into an SVG file. */
    static void writeSvg(File file, List<Snapshot> snapshots) throws IOException {
        List<Model> models = snapshots.stream().map(s -> model(s.space())).toList();
        int width = 2 * MARGIN + Math.max(Math.max(SMALL_PER_ROW * SMALL_CELL, MIN_WIDTH),
                models.stream().mapToInt(m -> m.ptesShown() * BIG_CELL).max().orElse(0));
        width = Math.max(width, 2 * MARGIN + models.stream().mapToInt(m -> m.frames().size() * BIG_CELL).max().orElse(0));
        int height = MARGIN + models.stream().mapToInt(Picture::height).sum() + 3 * LINE;
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, height));
        int y = MARGIN;
        for (int i = 0; i < snapshots.size(); i++) {
            y = draw(g, i + 1, snapshots.get(i).title(), models.get(i), y);
        }
        legend(g, y);
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create the folder " + parent + " for " + file);
        }
        SVGUtils.writeToSVG(file, g.getSVGElement());
    }

    private static boolean labelled(Model model) {
        return model.ptesShown() <= LABELLED_PTES;
    }

    private static int height(Model model) {
        int ptes = labelled(model) ? BIG_CELL + 2 * LINE
                : ((model.ptesShown() + SMALL_PER_ROW - 1) / SMALL_PER_ROW) * (SMALL_CELL + 2) + LINE;
        int frames = labelled(model) && !model.frames().isEmpty() ? 3 * BIG_CELL + 2 * LINE : LINE;
        return 2 * LINE + ptes + frames + LINE;
    }

    /** Draws one snapshot from y down; returns the y below it. */
    private static int draw(SVGGraphics2D g, int number, String title, Model model, int top) {
        Map<String, Color> holders = holderColours(model);
        Map<Long, Rectangle2D> frameCells = new LinkedHashMap<>();
        int y = top;
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(number + ". " + title, MARGIN, y + 12);
        y += 2 * LINE;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(String.format("System PTEs 0 to %d of %d (PTE i is sysva + i * 0x1000); %d of them map a frame",
                model.ptesShown() - 1, model.ptesTotal(), model.mappedPtes()), MARGIN, y + 10);
        y += LINE;
        boolean big = labelled(model);
        int frameTop = y + (big ? BIG_CELL + 3 * LINE : 0);
        if (big && !model.frames().isEmpty()) {
            g.setColor(INK);
            g.drawString("Above: the frames behind the mapped pages (#frame number, p: page in the MDL or user "
                    + "memory that holds it, by colour):", MARGIN, frameTop + BIG_CELL + 30);
            int x = MARGIN;
            for (FrameEntry frame : model.frames()) {
                Rectangle2D cell = new Rectangle2D.Double(x, frameTop, BIG_CELL - 4, BIG_CELL);
                g.setRenderingHint(SVGHints.KEY_ELEMENT_ID, "s" + number + "-frame-" + frame.number());
                g.setColor(holders.get(frame.holder()));
                g.fill(cell);
                g.setColor(INK);
                g.draw(cell);
                g.setColor(Color.WHITE);
                g.drawString("#" + frame.number(), x + 3, frameTop + 13);
                g.drawString("p" + frame.page(), x + 3, frameTop + 26);
                frameCells.put(frame.number(), cell);
                x += BIG_CELL;
            }
            g.setColor(INK);
            int holderY = frameTop + BIG_CELL + 14;
            int hx = MARGIN;
            for (Map.Entry<String, Color> holder : holders.entrySet()) {
                g.setColor(holder.getValue());
                g.fill(new Rectangle2D.Double(hx, holderY - 9, 10, 10));
                g.setColor(INK);
                g.drawString(holder.getKey(), hx + 14, holderY);
                hx += 14 + 7 * holder.getKey().length() + 16;
            }
        }
        for (PteEntry pte : model.ptes()) {
            Rectangle2D cell = big
                    ? new Rectangle2D.Double(MARGIN + pte.index() * BIG_CELL, y, BIG_CELL - 4, BIG_CELL)
                    : new Rectangle2D.Double(MARGIN + (pte.index() % SMALL_PER_ROW) * SMALL_CELL,
                            y + (pte.index() / SMALL_PER_ROW) * (SMALL_CELL + 2), SMALL_CELL - 1, SMALL_CELL);
            String id = "s" + number + (pte.frame() != null ? "-mapped-pte-" : "-pte-") + pte.index();
            g.setRenderingHint(SVGHints.KEY_ELEMENT_ID, id);
            g.setColor(fill(pte, model, holders));
            g.fill(cell);
            g.setColor(INK);
            g.setStroke(pte.kind().equals("reserved") && pte.frame() == null
                    ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 4f, new float[] {3f, 2f}, 0f)
                    : new BasicStroke(big ? 1f : 0.3f));
            g.draw(cell);
            g.setStroke(new BasicStroke(1f));
            if (big) {
                g.setColor(pte.frame() != null ? Color.WHITE : INK);
                g.drawString(cellLabel(pte), (float) cell.getX() + 3, (float) cell.getY() + 13);
                if (pte.frame() != null) {
                    g.drawString("#" + pte.frame(), (float) cell.getX() + 3, (float) cell.getY() + 26);
                    Rectangle2D target = frameCells.get(pte.frame());
                    if (target != null) {
                        g.setColor(holders.getOrDefault(holderOf(model, pte.frame()), INK));
                        g.draw(new Line2D.Double(cell.getCenterX(), cell.getMaxY(), target.getCenterX(), target.getY()));
                    }
                }
            }
        }
        return top + height(model);
    }

    private static String cellLabel(PteEntry pte) {
        return switch (pte.kind()) {
            case "header" -> "hdr";
            case "reserved" -> pte.frame() == null ? "-" : "res";
            case "ordinary" -> "ord";
            default -> "free";
        };
    }

    private static Color fill(PteEntry pte, Model model, Map<String, Color> holders) {
        return switch (pte.kind()) {
            case "header" -> HEADER;
            case "free" -> FREE;
            default -> pte.frame() == null ? EMPTY : pte.kind().equals("ordinary")
                    ? holders.getOrDefault(holderOf(model, pte.frame()), INK).darker()
                    : holders.getOrDefault(holderOf(model, pte.frame()), INK);
        };
    }

    private static String holderOf(Model model, long frame) {
        return model.frames().stream().filter(f -> f.number() == frame).map(FrameEntry::holder).findFirst().orElse("");
    }

    private static Map<String, Color> holderColours(Model model) {
        Map<String, Color> colours = new LinkedHashMap<>();
        // A holder keeps its colour from one picture to the next where it can (chosen by its name).
        for (FrameEntry frame : model.frames()) {
            colours.computeIfAbsent(frame.holder(), h -> {
                int choice = Math.floorMod(h.hashCode(), HOLDER_COLOURS.length);
                for (int i = 0; i < HOLDER_COLOURS.length && colours.containsValue(HOLDER_COLOURS[choice]); i++) {
                    choice = (choice + 1) % HOLDER_COLOURS.length;
                }
                return HOLDER_COLOURS[choice];
            });
        }
        return colours;
    }

    private static void legend(SVGGraphics2D g, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        int x = MARGIN;
        Object[][] keys = {{HEADER, "header PTE"}, {EMPTY, "reserved, empty (touching it: 0x50)"},
            {HOLDER_COLOURS[0], "reserved, mapped (colour: who holds the frame)"},
            {HOLDER_COLOURS[0].darker(), "ordinary mapping"}, {FREE, "free PTE"}};
        for (Object[] key : keys) {
            g.setColor((Color) key[0]);
            g.fill(new Rectangle2D.Double(x, y, 10, 10));
            g.setColor(INK);
            g.draw(new Rectangle2D.Double(x, y, 10, 10));
            g.drawString((String) key[1], x + 14, y + 9);
            x += 14 + 6 * ((String) key[1]).length() + 12;
        }
    }
}
