# Renders resources/icons/kioskgate.svg to the PNG sizes desktops and
# installers want, at build time, with rsvg-convert (Debian: librsvg2-bin,
# Homebrew: librsvg, Windows: MSYS2 mingw-w64-ucrt-x86_64-librsvg; pass
# -DKIOSKGATE_RSVG_CONVERT=path when it is not on PATH).
set(KIOSKGATE_ICON_SVG "${PROJECT_SOURCE_DIR}/resources/icons/kioskgate.svg")
set(KIOSKGATE_ICON_DIR "${CMAKE_CURRENT_BINARY_DIR}/icons")
set(KIOSKGATE_ICON_SIZES 16 22 24 32 48 64 128 256 512)
if(APPLE)
    list(APPEND KIOSKGATE_ICON_SIZES 1024) # icon_512x512@2x in the .icns
endif()

find_program(KIOSKGATE_RSVG_CONVERT rsvg-convert
             DOC "rsvg-convert (librsvg) renders the PNG icons from the SVG")
if(NOT KIOSKGATE_RSVG_CONVERT)
    message(FATAL_ERROR "rsvg-convert not found: it renders the application icons. Install "
                        "librsvg2-bin (Debian, scripts/setup-debian.sh), librsvg (Homebrew) or "
                        "pass -DKIOSKGATE_RSVG_CONVERT=/path/to/rsvg-convert.")
endif()

set(KIOSKGATE_ICON_PNGS "")
foreach(size IN LISTS KIOSKGATE_ICON_SIZES)
    set(png "${KIOSKGATE_ICON_DIR}/kioskgate-${size}.png")
    add_custom_command(OUTPUT "${png}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${KIOSKGATE_ICON_DIR}"
        COMMAND "${KIOSKGATE_RSVG_CONVERT}" --width ${size} --height ${size}
                --keep-aspect-ratio --format png --output "${png}" "${KIOSKGATE_ICON_SVG}"
        DEPENDS "${KIOSKGATE_ICON_SVG}"
        COMMENT "Rendering the ${size}x${size} icon" VERBATIM)
    list(APPEND KIOSKGATE_ICON_PNGS "${png}")
    set(KIOSKGATE_ICON_PNG_${size} "${png}")
endforeach()

if(WIN32)
    # A Windows icon holds 16 to 256 pixel images, stored as PNG.
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(KIOSKGATE_ICO_FILE "${KIOSKGATE_ICON_DIR}/kioskgate.ico")
    set(ico_inputs "")
    foreach(size 16 24 32 48 64 128 256)
        list(APPEND ico_inputs "${KIOSKGATE_ICON_PNG_${size}}")
    endforeach()
    add_custom_command(OUTPUT "${KIOSKGATE_ICO_FILE}"
        COMMAND Python3::Interpreter "${CMAKE_CURRENT_SOURCE_DIR}/tools/make-ico.py"
                "${KIOSKGATE_ICO_FILE}" ${ico_inputs}
        DEPENDS ${ico_inputs} "${CMAKE_CURRENT_SOURCE_DIR}/tools/make-ico.py"
        COMMENT "Packing kioskgate.ico" VERBATIM)
    list(APPEND KIOSKGATE_ICON_PNGS "${KIOSKGATE_ICO_FILE}")
endif()

if(APPLE)
    # iconutil (part of macOS) turns an .iconset folder into an .icns file.
    find_program(KIOSKGATE_ICONUTIL iconutil REQUIRED)
    set(iconset "${KIOSKGATE_ICON_DIR}/kioskgate.iconset")
    set(KIOSKGATE_ICNS_FILE "${KIOSKGATE_ICON_DIR}/kioskgate.icns")
    set(copy_commands "")
    foreach(base 16 32 128 256 512)
        math(EXPR double "${base} * 2")
        list(APPEND copy_commands
             COMMAND ${CMAKE_COMMAND} -E copy "${KIOSKGATE_ICON_PNG_${base}}"
                     "${iconset}/icon_${base}x${base}.png"
             COMMAND ${CMAKE_COMMAND} -E copy "${KIOSKGATE_ICON_PNG_${double}}"
                     "${iconset}/icon_${base}x${base}@2x.png")
    endforeach()
    add_custom_command(OUTPUT "${KIOSKGATE_ICNS_FILE}"
        COMMAND ${CMAKE_COMMAND} -E rm -rf "${iconset}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${iconset}"
        ${copy_commands}
        COMMAND "${KIOSKGATE_ICONUTIL}" --convert icns --output "${KIOSKGATE_ICNS_FILE}" "${iconset}"
        DEPENDS ${KIOSKGATE_ICON_PNGS}
        COMMENT "Making kioskgate.icns" VERBATIM)
    list(APPEND KIOSKGATE_ICON_PNGS "${KIOSKGATE_ICNS_FILE}")
endif()

add_custom_target(kioskgate_icons ALL DEPENDS ${KIOSKGATE_ICON_PNGS})
add_dependencies(kioskgate kioskgate_icons)
