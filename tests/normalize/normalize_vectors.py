"""Test vectors of the normalization study (``shared/research/normalization.md`` §5), verbatim.

Kept as data in the test suite (not read from /work/shared at run time) so that the exact
expectations are versioned with the code they test. The page cases need the seed text, which is
read from the shared folder by ``conftest.py``.
"""

# ruff: noqa: E501  (the study's vectors, verbatim)

from __future__ import annotations

# fmt: off

# §5.1 Pinyin artifact: (id, input, expected_output, n_artifact_annotations_in_input);
# expected None = must come back unchanged.
# (id, input, expected_output, n_artifact_annotations_in_input)
# legit = expected == input
PINYIN_CASES = [
 ('L01-abbrev', '山东大学(SDU)于2020年(庚子年)举办校庆。', None, 0),
 ('L02-reporter', '（记者 张三 通讯员 李四）本报讯 (记者 王五)', None, 0),
 ('L03-caseno', '(2020)鲁01民终123号判决书', None, 0),
 ('L04-english', '他用英文说 hello (你好) and goodbye(再见)。', None, 0),
 ('L05-ling-simp', '武则天自创了曌(zhào)字,还有圀(guó)字和埊(dì)字。', None, 0),
 ('L06-ling-trad', '同音不同調:背(bèi)→杯(bēi)、數(shù)→書(shū),要重錄。', None, 0),
 ('L07-polyphone-trad', '常見破音字:長(cháng)短、長(zhǎng)大;快樂(lè)、音樂(yuè);還(hái)是、還(huán)錢。', None, 0),
 ('L08-full-simp', '兔(tù)子(zi)在(zài)大(dà)树(shù)下(xià)睡(shuì)着(zháo)了(le)。', None, 0),
 ('L09-full-trad', '學(xué)而(ér)時(shí)習(xí)之(zhī),不(bù)亦(yì)說(yuè)乎(hū)?', None, 0),
 ('L10-quoted-fw', '“囧”（jiǒng）字近年在网络上流行,“槑”（méi）字也是。', None, 0),
 ('L11-spaced', '往 (wǎng) 表示方向,对 (duì) 表示对象,给 (gěi) 表示给予。', None, 0),
 ('L12-ascii-lower', '使用了Python(py)和图(graph)库,见附录(a)(b)(c)。', None, 0),
 ('L13-name-roman', '國立臺灣大學(NTU)校長管中閔(Kuan Chung-ming)表示,會(huì)後將公布。', None, 0),
 ('L14-quoted-trad-gloss', '「網(wǎng)」「學(xué)」「區(qū)」三字的簡體分別是网、学、区。', None, 0),
 ('L15-word-gloss', '這個詞讀作網站(wǎngzhàn),學校(xuéxiào)則不同。', None, 0),
 ('L16-numbered', '學(xue2)、網(wang3)、區(qu1)是數字調號。', None, 0),
 ('L17-simp-artifact-after-t2s', '网(wǎng)站地图 学(xué)校 区(qū)域 关(guān)于', None, 0),
 ('A01-seed-lines', '威海校區(qū)黨工委防控發(fā)展“兩手抓”\n山東大學(xué)(SDU)法學(xué)院(威海)成立研究中心,聯(lián)防聯(lián)控,學(xué)校網(wǎng)站\n(作者:佚名 編輯:山東大學(xué))',
   '威海校區黨工委防控發展“兩手抓”\n山東大學(SDU)法學院(威海)成立研究中心,聯防聯控,學校網站\n(作者:佚名 編輯:山東大學)', 9),
 ('A02-nav-menu', '首頁(yè)\n產(chǎn)品中心\n試驗(yàn)箱系列\n振動(dòng)試驗(yàn)臺\n常見(jiàn)問(wèn)題\n關(guān)于我們\n聯(lián)系我們\n網(wǎng)站地圖',
   '首頁\n產品中心\n試驗箱系列\n振動試驗臺\n常見問題\n關于我們\n聯系我們\n網站地圖', 10),
 ('A03-island-chain', '堅守初心,勇?lián)?dān)使命,致敬先鋒。學(xué)校聯(lián)合擔(dān)當(dāng)。',
   '堅守初心,勇擔使命,致敬先鋒。學校聯合擔當。', 6),
 ('A04-island-ascii', '學(xué)校網(wǎng)站因?yàn)镋S的權(quán)限不足,檢驗(yàn)失敗。',
   '學校網站因為ES的權限不足,檢驗失敗。', 5),
 ('A05-island-gbk', '實(shí)用程序?qū)崿F(xiàn)了轉(zhuǎn)換與區(qū)域驅(qū)動(dòng)。',
   '實用程序實現了轉換與區域驅動。', 7),
 ('A06-fullwidth', '網（wǎng）站地圖 學（xué）校 區（qū）域 關（guān）於',
   '網站地圖 學校 區域 關於', 4),
 ('A07-island-pua', '從上級下?lián)芎托\ue5ca^(qū)管理黨費,聯(lián)系校區(qū)學(xué)院。',
   '從上級下撥和校區管理黨費,聯系校區學院。', 5),
]

# §5.3 Traditional → Simplified: 63 cases + 8 idempotency sentences.
# (traditional input, expected mainland simplified, category)
# category: hard   = unambiguous for mainland news text
#           soft   = dictionary-preferred form; converters may legitimately differ
#           policy = script-only conversion, no lexical localisation (軟體 stays 软体, 線上 stays 线上)
T2S_CASES = [
 ('他後來去了皇后大道,之後住在後宮附近', '他后来去了皇后大道,之后住在后宫附近', 'hard'),
 ('乾隆年間,乾坤朗朗', '乾隆年间,乾坤朗朗', 'hard'),
 ('衣服乾了,吃塊餅乾,乾杯', '衣服干了,吃块饼干,干杯', 'hard'),
 ('房間打掃得乾乾淨淨', '房间打扫得干干净净', 'hard'),
 ('幹部在樹幹下問你幹什麼', '干部在树干下问你干什么', 'hard'),
 ('著名學者的著作很顯著', '著名学者的著作很显著', 'hard'),
 ('他看著我,接著說別著急', '他看着我,接着说别着急', 'hard'),
 ('著手準備,飛機著陸', '着手准备,飞机着陆', 'hard'),
 ('他穿著外套,執著於理想', '他穿着外套,执着于理想', 'soft'),
 ('澳洲土著的著作權', '澳洲土著的著作权', 'hard'),
 ('這裏和那裡面', '这里和那里面', 'hard'),
 ('距離十公里,鄰里和睦', '距离十公里,邻里和睦', 'hard'),
 ('頭髮白了去理髮', '头发白了去理发', 'hard'),
 ('千鈞一髮之際發展經濟', '千钧一发之际发展经济', 'hard'),
 ('一隻貓,只有船隻', '一只猫,只有船只', 'hard'),
 ('他隻字不提', '他只字不提', 'hard'),
 ('於是關於此事位於北京', '于是关于此事位于北京', 'hard'),
 ('作家於梨華', '作家於梨华', 'hard'),
 ('瞭解情況,登高瞭望', '了解情况,登高瞭望', 'hard'),
 ('一目瞭然', '一目了然', 'hard'),
 ('吃麵條,面對面', '吃面条,面对面', 'hard'),
 ('製造業的制度', '制造业的制度', 'hard'),
 ('特徵與徵求意見', '特征与征求意见', 'hard'),
 ('宮商角徵羽', '宫商角徵羽', 'hard'),
 ('聯繫與關係', '联系与关系', 'hard'),
 ('他彎腰繫鞋帶', '他弯腰系鞋带', 'hard'),
 ('鐘錶店,鍾南山院士', '钟表店,钟南山院士', 'hard'),
 ('其餘的餘額', '其余的余额', 'hard'),
 ('余光中的詩', '余光中的诗', 'hard'),
 ('藉口與慰藉,杯盤狼藉', '借口与慰藉,杯盘狼藉', 'hard'),
 ('臺灣颱風吹倒檯燈', '台湾台风吹倒台灯', 'hard'),
 ('週末去周朝遺址', '周末去周朝遗址', 'hard'),
 ('衝突之後沖洗', '冲突之后冲洗', 'hard'),
 ('計劃劃船去畫畫', '计划划船去画画', 'hard'),
 ('問題複雜,反覆答覆', '问题复杂,反复答复', 'hard'),
 ('覆蓋與顛覆', '覆盖与颠覆', 'hard'),
 ('儘管盡力', '尽管尽力', 'hard'),
 ('嚮往嚮導', '向往向导', 'hard'),
 ('捨不得宿舍', '舍不得宿舍', 'hard'),
 ('旅遊去游泳', '旅游去游泳', 'hard'),
 ('稻穀在山谷', '稻谷在山谷', 'hard'),
 ('手錶和表格', '手表和表格', 'hard'),
 ('迴避巡迴', '回避巡回', 'hard'),
 ('日曆記錄歷史', '日历记录历史', 'hard'),
 ('夥伴吃伙食', '伙伴吃伙食', 'hard'),
 ('鹹魚在咸陽', '咸鱼在咸阳', 'hard'),
 ('瀋陽的沈從文', '沈阳的沈从文', 'hard'),
 ('雲南子曰詩云', '云南子曰诗云', 'hard'),
 ('你在說甚麼,什麼', '你在说什么,什么', 'soft'),
 ('佔領祕書處', '占领秘书处', 'hard'),
 ('蒐集資料', '搜集资料', 'hard'),
 ('噁心的詞彙', '恶心的词汇', 'hard'),
 ('范仲淹是模範', '范仲淹是模范', 'hard'),
 ('戰鬥在北斗', '战斗在北斗', 'hard'),
 ('傢俱與傢伙', '家具与家伙', 'soft'),
 ('蘿蔔和占卜', '萝卜和占卜', 'hard'),
 ('爲人民服務,綫上,衞生,人羣', '为人民服务,线上,卫生,人群', 'hard'),
 ('資訊軟體', '资讯软体', 'policy'),
 ('線上開展,建立指標,聯絡整合,行程', '线上开展,建立指标,联络整合,行程', 'policy'),
 ('嘆息一聲,溼透了', '叹息一声,湿透了', 'hard'),
 ('網路上的影片與滑鼠', '网路上的影片与滑鼠', 'policy'),
 ('人工智慧的伺服器與記憶體', '人工智慧的伺服器与记忆体', 'policy'),
 ('部落格與資料庫', '部落格与资料库', 'policy'),
]
# simplified input should come back unchanged (idempotency). Known: every OpenCC config changes
# #5 (於梨华→于梨华) and #6 (standalone 徵→征) -> never run t2s on text detected as Simplified
SIMP_IDEMPOTENT = [
 '这里的头发干了,于是他着急了。',
 '著名作家余光中后来写了乾隆年间的故事。',
 '于老师在周末了解了宿舍的情况,杯盘狼藉。',
 '他在瞭望塔上看着远方,心里一目了然。',
 '钟南山院士和沈从文、范仲淹、於梨华、乾隆都是人名。',
 '五音宫商角徵羽中的徵读zhǐ,征求意见。',
 '系鞋带、联系、关系、体系、系统。',
 '山东大学威海校区党工委坚持“停课不停学”。',
]

# §5.4 Titles for script detection (Simplified originals).
# mainland campus-news style titles (simplified originals); traditional
# versions are produced with OpenCC s2t / s2twp and a naive 1:1 char map.
TITLES_SIMP = [
 '山东大学召开2020年春季学期工作会议',
 '威海校区党工委防控发展“两手抓”',
 '我校举办第十届研究生学术论坛',
 '著名学者于丹做客山大讲坛',
 '乾隆御碑在校博物馆展出',
 '学校领导看望慰问一线教职工',
 '关于2021年寒假放假安排的通知',
 '机电学院师生参加全国大学生竞赛获佳绩',
 '图书馆开展世界读书日系列活动',
 '校长会见来访的台湾大学代表团',
 '后勤集团完成暑期维修改造工程',
 '我校3个专业入选国家级一流本科专业建设点',
 '材料学院发表高水平论文',
 '齐鲁医院援鄂医疗队凯旋',
 '这所大学的历史与发展',
 '新闻中心',
 '通知公告',
 '学术动态',
 '干部培训班开班',
 '范仲淹研究中心成立',
 '于老师获评教学名师',
 '钟南山院士来校作报告',
 '沈阳校友会换届',
 '余光中诗歌朗诵会举行',
 '学生志愿者服务队获表彰',
 '“停课不停学”线上教学有序推进',
 '数学与统计学院举办学术报告会',
 '校园里的秋天',
 '上一篇',
 '中外合作办学项目招生简章',
 '国际合作与交流部',
 '本科生院',
 '网站地图',
 '版权所有 山东大学',
 '发展规划与学科建设部',
 '学校召开党委常委会',
 '面向未来的人才培养',
 '征文启事',
 '讲座预告:人工智能前沿',
 '一流大学建设推进会召开',
]

# §5.5 Generated page vectors. PAGE_CASES name their text by key ("SIMP", "TRAD",
# "SIMP_WITH_GBK_ONLY_NAMES"); conftest.py builds the texts from the seed.
SIMP = "SIMP"
TRAD = "TRAD"
SIMP_WITH_GBK_ONLY_NAMES = "SIMP_WITH_GBK_ONLY_NAMES"

def page(text: str, meta: str | None) -> str:
    """The minimal page template of §1.7/§1.8."""
    head = f'<meta charset="{meta}">' if meta else ''
    return ('<!DOCTYPE html><html><head>' + head + '<title>' + text[:30] + '</title>'
            '<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script>'
            '</head><body><div class="nav"><a href="/">HOME</a></div><div class="content"><p>'
            + text + '</p></div></body></html>')

GBK_ONLY_NAMES = '朱镕基、陶喆、王堃、李玥、张祎、刘珺'   # not in GB2312, in GBK/GB18030
PAGE_CASES = [  # (id, text, body codec, meta, HTTP Content-Type)
    ('utf8 meta=utf-8', SIMP, 'utf-8', 'utf-8', None),
    ('utf8 no-decl', SIMP, 'utf-8', None, None),
    ('utf8+BOM no-decl', SIMP, 'utf-8-sig', None, None),
    ('utf8+BOM meta=gb2312 (BOM wins)', SIMP, 'utf-8-sig', 'gb2312', None),
    ('gb2312 meta=gb2312', SIMP, 'gb2312', 'gb2312', None),
    ('gbk-only meta=gb2312', SIMP_WITH_GBK_ONLY_NAMES, 'gb18030', 'gb2312', None),
    ('gbk trad meta=gbk', TRAD, 'gbk', 'gbk', None),
    ('gb2312 no-decl', SIMP, 'gb2312', None, None),
    ('gbk trad no-decl', TRAD, 'gbk', None, None),
    ('big5 meta=big5', TRAD, 'big5', 'big5', None),
    ('big5 no-decl', TRAD, 'big5', None, None),
    ('gbk body, meta=utf-8 (wrong)', SIMP, 'gb18030', 'utf-8', None),
    ('utf8 body, meta=gb2312 (wrong)', SIMP, 'utf-8', 'gb2312', None),
    ('big5 body, meta=gb2312 (wrong)', TRAD, 'big5', 'gb2312', None),
    ('gbk body, header iso-8859-1 (wrong)', SIMP, 'gb18030', None, 'text/html; charset=ISO-8859-1'),
    ('utf8 body, header gbk (wrong), meta utf-8', SIMP, 'utf-8', 'utf-8', 'text/html; charset=GBK'),
    ('gbk body, header utf-8 (wrong)', SIMP, 'gb18030', None, 'text/html; charset=utf-8'),
]
# robustness: body[:3000] + b'\xff' + body[3001:] for GBK and UTF-8 pages, with and without meta

# fmt: on
