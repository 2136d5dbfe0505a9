/** MySQL and MariaDB: one family for the store (same SQL, PAD SPACE collations, byte-counted TEXT). */
export function isMySqlFamily(dialect: string): boolean {
  return dialect === 'mysql' || dialect === 'mariadb';
}
