# Linux (and other freedesktop systems): the desktop entry, AppStream
# metadata, hicolor icons, man page and the files Debian policy asks for.
set(KIOSKGATE_CLIENT_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/kioskgate/client")
set(generated "${CMAKE_CURRENT_BINARY_DIR}/linux")
string(TIMESTAMP KIOSKGATE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)

configure_file("${PROJECT_SOURCE_DIR}/resources/linux/kioskgate.desktop.in"
               "${generated}/${KIOSKGATE_APP_ID}.desktop" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/resources/linux/kioskgate.metainfo.xml.in"
               "${generated}/${KIOSKGATE_APP_ID}.metainfo.xml" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/resources/linux/kioskgate.1.in"
               "${generated}/kioskgate.1" @ONLY)
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog.in"
               "${generated}/changelog.Debian" @ONLY)

install(FILES "${generated}/${KIOSKGATE_APP_ID}.desktop"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES "${generated}/${KIOSKGATE_APP_ID}.metainfo.xml"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
foreach(size IN LISTS KIOSKGATE_ICON_SIZES)
    install(FILES "${KIOSKGATE_ICON_PNG_${size}}"
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
            RENAME ${KIOSKGATE_APP_ID}.png)
endforeach()
install(FILES "${KIOSKGATE_ICON_SVG}" DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME ${KIOSKGATE_APP_ID}.svg)

# Debian wants man pages and changelogs compressed with gzip -9n (no name,
# no time stamp); gzip is on every Linux build machine.
find_program(KIOSKGATE_GZIP gzip REQUIRED)
add_custom_command(OUTPUT "${generated}/kioskgate.1.gz" "${generated}/changelog.Debian.gz"
    COMMAND "${KIOSKGATE_GZIP}" -9nkf "${generated}/kioskgate.1" "${generated}/changelog.Debian"
    DEPENDS "${generated}/kioskgate.1" "${generated}/changelog.Debian"
    COMMENT "Compressing the man page and changelog" VERBATIM)
add_custom_target(kioskgate_linux_docs ALL
                  DEPENDS "${generated}/kioskgate.1.gz" "${generated}/changelog.Debian.gz")
install(FILES "${generated}/kioskgate.1.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright" "${generated}/changelog.Debian.gz"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/kioskgate)
