"""MySQL, SQLite and DBML sources: types mapped to PostgreSQL's, names made PostgreSQL-unique, and the
designed result built on the embedded server."""

from __future__ import annotations

import pytest

from schemawright.importers import ImportSourceError, detect_kind, import_source
from schemawright.importers.dbml import import_dbml
from schemawright.importers.foreign_sql import import_foreign_sql, split_statements
from schemawright.importers.roundtrip import build_design
from schemawright.model.schema import FkAction, IndexMethod
from schemawright.model.types import DataType, Kind

MYSQL = """
/*!40101 SET NAMES utf8 */;
SET FOREIGN_KEY_CHECKS=0;
CREATE TABLE `language` (
  `language_id` tinyint unsigned NOT NULL AUTO_INCREMENT,
  `name` char(20) NOT NULL,
  PRIMARY KEY (`language_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Languages';
CREATE TABLE `film` (
  `film_id` int(11) NOT NULL AUTO_INCREMENT,
  `title` varchar(128) NOT NULL COMMENT 'The title',
  `active` tinyint(1) NOT NULL DEFAULT '1',
  `rating` enum('G','PG','R') DEFAULT 'G',
  `released` datetime DEFAULT NULL,
  `body` longtext,
  `payload` json,
  `language_id` tinyint unsigned NOT NULL,
  `last_update` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`film_id`),
  KEY `idx_fk_language_id` (`language_id`),
  UNIQUE KEY `uq_title` (`title`),
  FULLTEXT KEY `ft_body` (`body`),
  CONSTRAINT `fk_film_language` FOREIGN KEY (`language_id`) REFERENCES `language` (`language_id`)
    ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB;
CREATE TABLE `copy` (
  `copy_id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `film_id` int NOT NULL,
  KEY `idx_fk_language_id` (`film_id`),
  FOREIGN KEY (`film_id`) REFERENCES `film` (`film_id`) ON DELETE CASCADE
);
DELIMITER ;;
CREATE TRIGGER `ins_film` AFTER INSERT ON `film` FOR EACH ROW BEGIN
    INSERT INTO copy (film_id) VALUES (new.film_id);
END;;
DELIMITER ;
INSERT INTO `language` VALUES (1,'English');
"""

SQLITE = """
PRAGMA foreign_keys = ON;
CREATE TABLE [Artist] ([ArtistId] INTEGER PRIMARY KEY AUTOINCREMENT, [Name] NVARCHAR(120));
CREATE TABLE "Album" (
    "AlbumId" INTEGER NOT NULL,
    "Title" NVARCHAR(160) NOT NULL CHECK (length("Title") > 0),
    "ArtistId" INTEGER NOT NULL REFERENCES "Artist" ("ArtistId") MATCH NONE ON DELETE NO ACTION,
    "Added" DATETIME DEFAULT CURRENT_TIMESTAMP,
    "Price" NUMERIC(10,2),
    CONSTRAINT "PK_Album" PRIMARY KEY ("AlbumId")
);
CREATE INDEX "IFK_AlbumArtistId" ON "Album" ("ArtistId");
CREATE TRIGGER album_touch AFTER UPDATE ON "Album" BEGIN
    UPDATE "Album" SET "Added" = CURRENT_TIMESTAMP WHERE "AlbumId" = new."AlbumId";
END;
CREATE VIEW album_titles AS SELECT "Title" FROM "Album";
"""

DBML = """
Project shop { database_type: 'PostgreSQL' }
Enum order_status {
  placed
  shipped [note: 'On its way']
}
Table customers {
  id integer [pk, increment]
  email varchar(254) [not null, unique]
  joined timestamptz [default: `now()`]
  Note: 'People who buy'
  indexes {
    `lower(email)`
  }
}
Table orders {
  id bigint [pk, increment]
  customer_id integer [not null, ref: > customers.id]
  status order_status [not null, default: 'placed']
  total "numeric(10,2)" [not null, default: 0]
  indexes {
    (customer_id, status) [name: 'ix_orders_customer_status']
  }
}
Table tags {
  name text [pk]
}
Ref: orders.id <> tags.name
"""


def test_mysql_types_keys_and_names():
    result = import_foreign_sql(MYSQL, "mysql")
    film = result.schema.table("film")
    types = {c.name: c.type for c in film.columns}
    assert types["film_id"] == DataType(Kind.INTEGER) and film.column("film_id").identity == "by default"
    assert types["active"] == DataType(Kind.BOOLEAN) and film.column("active").default.sql == "true"
    assert types["released"] == DataType(Kind.TIMESTAMP)
    assert types["body"] == DataType(Kind.TEXT) and types["payload"] == DataType(Kind.JSON)
    assert types["language_id"] == DataType(Kind.SMALLINT)
    assert [c.name for c in film.checks] == ["film_rating_check"]
    assert "'G', 'PG', 'R'" in film.checks[0].expression.sql
    assert film.comment is None and film.column("title").comment == "The title"
    assert result.schema.table("language").comment == "Languages"
    fk = film.foreign_keys[0]
    assert (fk.name, fk.on_delete, fk.on_update) == ("fk_film_language", FkAction.RESTRICT, FkAction.CASCADE)
    assert film.primary_key.name == "film_pkey" and [u.name for u in film.uniques] == ["uq_title"]
    copy = result.schema.table("copy")
    assert copy.indexes[0].name == "copy_idx_fk_language_id"  # index names are per schema in PostgreSQL
    assert copy.foreign_keys[0].name == "copy_film_id_fkey"
    lines = result.skipped_lines
    for expected in ("ON UPDATE CURRENT_TIMESTAMP", "FULLTEXT index", "CREATE TRIGGER", "INSERT", "renamed"):
        assert any(expected in line for line in lines), expected


def test_sqlite_types_triggers_and_views():
    result = import_foreign_sql(SQLITE, "sqlite")
    album = result.schema.table("Album")
    assert album.primary_key.name == "PK_Album"
    assert album.column("Title").type == DataType(Kind.VARCHAR, length=160)
    assert album.column("Added").type == DataType(Kind.TIMESTAMP)
    assert album.column("Price").type == DataType(Kind.NUMERIC, precision=10, scale=2)
    assert result.schema.table("Artist").column("ArtistId").identity == "by default"
    assert album.foreign_keys[0].ref_table == "Artist"
    assert [ix.name for ix in album.indexes] == ["IFK_AlbumArtistId"]
    assert [v.name for v in result.schema.views] == ["album_titles"]
    assert any("CREATE TRIGGER at line 13" in line for line in result.skipped_lines)


def test_statement_splitting_keeps_quotes_delimiters_and_trigger_bodies():
    statements = split_statements("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT ';'; END//\nDELIMITER ;\n"
                                  "INSERT INTO t VALUES ('a;b', \"c;d\"); -- x;\nSELECT 1;", "mysql")
    assert [s.line for s in statements] == [2, 4, 5]
    assert statements[0].text == "CREATE PROCEDURE p() BEGIN SELECT ';'; END"
    sqlite = split_statements("CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; END;\nSELECT 2;", "sqlite")
    assert [s.text for s in sqlite] == ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; END", "SELECT 2"]


def test_dbml():
    result = import_dbml(DBML)
    orders = result.schema.table("orders")
    assert orders.column("id").identity == "by default"
    assert orders.column("status").type == DataType(Kind.ENUM, name="order_status")
    assert orders.foreign_keys[0].name == "orders_customer_id_fkey"
    assert [ix.name for ix in orders.indexes] == ["ix_orders_customer_status"]
    assert [ix.name for ix in result.schema.table("customers").indexes] == ["customers_lower_idx"]
    assert result.schema.table("customers").uniques[0].name == "customers_email_key"
    assert result.schema.table("customers").comment == "People who buy"
    assert any("many-to-many" in line for line in result.skipped_lines)
    with pytest.raises(ImportSourceError, match="not valid DBML"):
        import_dbml("Table x {")


def test_detect_kind(tmp_path):
    for name, text, kind in (("a.sql", MYSQL, "mysql"), ("b.sql", SQLITE, "sqlite"), ("c.dbml", DBML, "dbml"),
                             ("d.sql", "CREATE TABLE t (id serial PRIMARY KEY);", "postgresql"),
                             ("sqlite/e.sql", "CREATE TABLE t (id int UNSIGNED AUTO_INCREMENT);", "sqlite")):
        assert detect_kind(str(tmp_path / name), text) == kind, name
    assert detect_kind("postgresql://u@h/db") == "database"


@pytest.mark.parametrize("text,kind", [(MYSQL, "mysql"), (SQLITE, "sqlite"), (DBML, "dbml")])
def test_the_designed_schema_builds_on_postgresql_and_reads_back_equal(tmp_path, pg_dsn, text, kind):
    path = tmp_path / ("source.dbml" if kind == "dbml" else "source.sql")
    path.write_text(text)
    result = import_source(str(path), kind=kind)
    built = build_design(result, pg_dsn, str(path))
    assert built.errors == []
    assert built.differences == []
    if kind == "dbml":
        assert built.catalog.table("orders").indexes[0].method == IndexMethod.BTREE
